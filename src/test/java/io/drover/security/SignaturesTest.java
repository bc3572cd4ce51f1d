package io.drover.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signatures are Bouncy Castle's Ed25519 on the JDK's keys: the same bytes as the JDK's, each accepting the other's. */
class SignaturesTest {
    private final KeyPair keys = KeyFiles.generate();

    @Test
    void signaturesAreTheJdksOwnBytesAndEachSideAcceptsTheOthers() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] data = new byte[random.nextInt(600)];
            random.nextBytes(data);
            String ours = Signatures.sign(keys.getPrivate(), data);
            byte[] jdk = jdkSign(data);
            assertArrayEquals(jdk, Base64.getDecoder().decode(ours.substring(Signatures.PREFIX.length())), "Ed25519 is deterministic");
            assertTrue(jdkVerify(keys.getPublic(), data, jdk));
            assertTrue(Signatures.verify(keys.getPublic(), data, Signatures.PREFIX + Base64.getEncoder().encodeToString(jdk)));
        }
    }

    @Test
    void keysPreparedOnceSignAndCheckExactlyAsTheOneOffCalls() throws Exception {
        Signatures.SigningKey signing = new Signatures.SigningKey(keys.getPrivate());
        Signatures.VerifyingKey verifying = new Signatures.VerifyingKey(keys.getPublic());
        Signatures.VerifyingKey other = new Signatures.VerifyingKey(KeyFiles.generate().getPublic());
        Random random = new Random(7);
        for (int i = 0; i < 50; i++) {
            byte[] data = new byte[random.nextInt(400)];
            random.nextBytes(data);
            String signature = signing.sign(data);
            assertEquals(Signatures.PREFIX + Base64.getEncoder().encodeToString(jdkSign(data)), signature);
            assertTrue(verifying.verify(data, signature));
            assertFalse(other.verify(data, signature));
            byte[] altered = data.length == 0 ? new byte[]{1} : data.clone();
            altered[0] ^= data.length == 0 ? 0 : 1;
            assertFalse(verifying.verify(altered, signature));
            assertFalse(verifying.verify(data, signature.substring(0, signature.length() - 4) + "AAA="));
            assertFalse(verifying.verify(data, "ed25519:short"));
        }
    }

    @Test
    void anAlteredMessageAnotherKeyOrAMalformedSignatureIsRejected() {
        byte[] data = "{\"agent\":\"package\"}".getBytes(StandardCharsets.UTF_8);
        String signature = Signatures.sign(keys.getPrivate(), data);
        assertTrue(Signatures.verify(keys.getPublic(), data, signature));
        byte[] altered = data.clone();
        altered[3] ^= 1;
        assertFalse(Signatures.verify(keys.getPublic(), altered, signature));
        assertFalse(Signatures.verify(KeyFiles.generate().getPublic(), data, signature), "another key");
        byte[] raw = Base64.getDecoder().decode(signature.substring(Signatures.PREFIX.length()));
        for (int bit : new int[]{0, 100, 300, 511}) {
            byte[] flipped = raw.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(Signatures.verify(keys.getPublic(), data, encode(flipped)), "bit " + bit + " flipped");
        }
        assertFalse(Signatures.verify(keys.getPublic(), data, encode(java.util.Arrays.copyOf(raw, 63))), "too short");
        assertFalse(Signatures.verify(keys.getPublic(), data, encode(java.util.Arrays.copyOf(raw, 65))), "too long");
        assertFalse(Signatures.verify(keys.getPublic(), data, Signatures.PREFIX + "not*base64"));
        assertFalse(Signatures.verify(keys.getPublic(), data, "rsa:" + signature.substring(Signatures.PREFIX.length())));
        assertFalse(Signatures.verify(keys.getPublic(), data, null));
        assertFalse(Signatures.verify(null, data, signature));
    }

    @Test
    void aSignatureMadeMalleableByAddingTheGroupOrderToSIsRejected() throws Exception {
        byte[] data = "deploy".getBytes(StandardCharsets.UTF_8);
        byte[] raw = Base64.getDecoder().decode(Signatures.sign(keys.getPrivate(), data).substring(Signatures.PREFIX.length()));
        // S + L (little-endian) is the same scalar mod L: RFC 8032 requires S < L, so the twin must not verify.
        byte[] order = HexFormat.of().parseHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        int carry = 0;
        byte[] twin = raw.clone();
        for (int i = 0; i < 32; i++) {
            int sum = (raw[32 + i] & 0xff) + (order[i] & 0xff) + carry;
            twin[32 + i] = (byte) sum;
            carry = sum >> 8;
        }
        assertEquals(0, carry, "S + L fits in 32 bytes");
        assertThrows(java.security.SignatureException.class, () -> jdkVerify(keys.getPublic(), data, twin), "the JDK rejects it");
        assertFalse(Signatures.verify(keys.getPublic(), data, encode(twin)));
    }

    @Test
    void theIdentityPointAsAPublicKeyVerifiesNothing() throws Exception {
        // With A and R the identity and S = 0, a check without the small-order test accepts any message.
        byte[] identity = new byte[32];
        identity[0] = 1;
        PublicKey weak = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
                HexFormat.of().parseHex("302a300506032b6570032100" + HexFormat.of().formatHex(identity))));
        byte[] signature = new byte[64];
        signature[0] = 1;
        assertFalse(Signatures.verify(weak, "anything".getBytes(StandardCharsets.UTF_8), encode(signature)));
        assertFalse(new Signatures.VerifyingKey(weak).verify("anything".getBytes(StandardCharsets.UTF_8), encode(signature)));
    }

    @Test
    void keysOfAnotherAlgorithmAreRefusedWithAClearMessage() throws Exception {
        KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
        byte[] data = {1, 2, 3};
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Signatures.sign(ec.getPrivate(), data));
        assertTrue(refused.getMessage().contains("Ed25519 keys only"), refused.getMessage());
        assertFalse(Signatures.verify(ec.getPublic(), data, Signatures.sign(keys.getPrivate(), data)));
        KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
        assertThrows(IllegalStateException.class, () -> Signatures.sign(ed448.getPrivate(), data));
        assertFalse(Signatures.verify(ed448.getPublic(), data, Signatures.sign(keys.getPrivate(), data)));
    }

    private static String encode(byte[] raw) {
        return Signatures.PREFIX + Base64.getEncoder().encodeToString(raw);
    }

    private byte[] jdkSign(byte[] data) throws Exception {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(keys.getPrivate());
        signature.update(data);
        return signature.sign();
    }

    private static boolean jdkVerify(PublicKey key, byte[] data, byte[] raw) throws Exception {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initVerify(key);
        signature.update(data);
        return signature.verify(raw);
    }
}
