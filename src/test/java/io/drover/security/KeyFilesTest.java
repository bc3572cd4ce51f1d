package io.drover.security;

import io.drover.protocol.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void createsAPrivateKeyOnlyItsOwnerCanReadAndAPublicKey() throws Exception {
        Path key = KeyFiles.create(dir, "alice");
        assertEquals(dir.resolve("alice.key"), key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(Files.readString(dir.resolve("alice.pub")).startsWith("-----BEGIN PUBLIC KEY-----\n"));
        assertEquals("EdDSA", KeyFiles.readPrivate(key).getAlgorithm());
        assertEquals("EdDSA", KeyFiles.readPublic(dir.resolve("alice.pub")).getAlgorithm());
    }

    @Test
    void neverOverwritesAKey() throws Exception {
        KeyFiles.create(dir, "alice");
        String before = Files.readString(dir.resolve("alice.key"));
        assertThrows(FileAlreadyExistsException.class, () -> KeyFiles.create(dir, "alice"));
        assertEquals(before, Files.readString(dir.resolve("alice.key")));
    }

    @Test
    void refusesAPrivateKeyOthersCanRead() throws Exception {
        Path key = KeyFiles.create(dir, "alice");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Exception e = assertThrows(java.io.IOException.class, () -> KeyFiles.readPrivate(key));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void keyNamesArePlainWords() {
        for (String bad : List.of("../evil", "a b", "", "-x", "a/b", "x\n")) {
            assertThrows(IllegalArgumentException.class, () -> KeyFiles.create(dir, bad), bad);
        }
    }

    @Test
    void aSignedRequestVerifiesAndAnyChangeBreaksIt() throws Exception {
        KeyFiles.create(dir, "alice");
        RequestSigner signer = RequestSigner.load(dir.resolve("alice.key"));
        assertEquals("alice", signer.caller());
        RequestVerifier verifier = new RequestVerifier(TrustedKeys.load(dir));
        Request request = new Request(Request.newId(), "drover", "firewall", "block", Map.of("address", "10.0.0.1"), null,
                List.of("web01"), "alice", System.currentTimeMillis(), 30, null);
        Request signed = signer.sign(request);
        assertTrue(signed.signature().startsWith("ed25519:"));
        assertNull(verifier.refusal(signed));
        assertTrue(verifier.refusal(request).startsWith("unsigned request"));
        Request tampered = new Request(signed.id(), "drover", "firewall", "block", Map.of("address", "10.0.0.2"), null,
                List.of("web01"), "alice", signed.created(), 30, signed.signature());
        assertTrue(verifier.refusal(tampered).startsWith("signature does not verify"));
        assertTrue(verifier.refusal(signed.withTargets(List.of("web02"))).startsWith("signature does not verify"),
                "redirecting to another node breaks the signature");
        assertTrue(verifier.refusal(signed.withSignature("ed25519:AAAA")).startsWith("signature does not verify"));
        assertTrue(verifier.refusal(signed.withSignature("rsa:xyz")).startsWith("signature does not verify"));
    }

    @Test
    void aKeyNotAmongTheTrustedOnesIsUnknownEvenWithAValidSignature() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Files.createDirectory(dir.resolve("trusted"));
        KeyFiles.create(elsewhere, "mallory");
        RequestSigner mallory = RequestSigner.load(elsewhere.resolve("mallory.key"));
        RequestVerifier verifier = new RequestVerifier(TrustedKeys.load(dir.resolve("trusted")));
        Request request = mallory.sign(new Request(Request.newId(), "drover", "rpcutil", "ping", Map.of(), null, null, "mallory",
                System.currentTimeMillis(), 30, null));
        assertTrue(verifier.refusal(request).startsWith("unknown caller mallory"));
    }

    @Test
    void signingAsSomeoneElseFails() throws Exception {
        KeyFiles.create(dir, "mallory");
        KeyFiles.create(dir, "alice");
        RequestSigner mallory = RequestSigner.load(dir.resolve("mallory.key"));
        Request asAlice = new Request(Request.newId(), "drover", "rpcutil", "ping", Map.of(), null, null, "alice",
                System.currentTimeMillis(), 30, null);
        assertThrows(IllegalArgumentException.class, () -> mallory.sign(asAlice));
        // Forging by hand: mallory's signature on a request naming alice does not verify with alice's key.
        Request forged = asAlice.withSignature(Signatures.sign(KeyFiles.readPrivate(dir.resolve("mallory.key")),
                io.drover.protocol.JsonCodec.instance().canonical(asAlice)));
        assertTrue(new RequestVerifier(TrustedKeys.load(dir)).refusal(forged).startsWith("signature does not verify"));
    }

    @Test
    void trustedKeysFollowTheDirectory() throws Exception {
        Path trusted = Files.createDirectory(dir.resolve("callers"));
        TrustedKeys keys = TrustedKeys.load(trusted);
        assertTrue(keys.names().isEmpty());
        KeyFiles.create(dir, "bob");
        Files.copy(dir.resolve("bob.pub"), trusted.resolve("bob.pub"));
        Files.setLastModifiedTime(trusted, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Thread.sleep(1_100);
        assertTrue(keys.find("bob").isPresent(), "a key added later is picked up without a restart");
    }
}
