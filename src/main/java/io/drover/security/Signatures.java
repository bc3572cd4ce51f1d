package io.drover.security;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** Ed25519 signatures as they travel in envelopes: {@code ed25519:BASE64}. */
final class Signatures {
    static final String PREFIX = "ed25519:";

    private Signatures() {
    }

    static String sign(PrivateKey key, byte[] data) {
        try {
            Signature signature = Signature.getInstance(KeyFiles.ALGORITHM);
            signature.initSign(key);
            signature.update(data);
            return PREFIX + Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign with " + key.getAlgorithm() + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code text} is a valid signature of {@code data} by {@code key}; malformed text is simply invalid. */
    static boolean verify(PublicKey key, byte[] data, String text) {
        if (text == null || !text.startsWith(PREFIX) || text.length() > 200) {
            return false;
        }
        try {
            byte[] raw = Base64.getDecoder().decode(text.substring(PREFIX.length()));
            Signature signature = Signature.getInstance(KeyFiles.ALGORITHM);
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(raw);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }
}
