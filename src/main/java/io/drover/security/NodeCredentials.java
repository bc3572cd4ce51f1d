package io.drover.security;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Instant;

/**
 * What a node signs its replies with: its private key and the issuer's certificate for the matching public key.
 *
 * @param key         the node's private key
 * @param certificate the node's certificate; its public key must match {@code key}
 */
public record NodeCredentials(PrivateKey key, NodeCertificate certificate) {
    /** Checks that {@code key} is the private half of the certificate's key: a mismatch would sign unverifiable replies. */
    public static NodeCredentials matching(PrivateKey key, NodeCertificate certificate) {
        byte[] probe = {'d', 'r', 'o', 'v', 'e', 'r'};
        if (!Signatures.verify(certificate.publicKey(), probe, Signatures.sign(key, probe))) {
            throw new IllegalArgumentException("the node key does not match the public key in the " + certificate
                    + "; issue the certificate for this key's .pub");
        }
        return new NodeCredentials(key, certificate);
    }

    public String identity() {
        return certificate.identity();
    }

    /** Reads a node key and its certificate, checking that they belong together. */
    public static NodeCredentials load(Path keyFile, Path certificateFile) throws IOException {
        return matching(KeyFiles.readPrivate(keyFile), NodeCertificate.read(certificateFile));
    }

    /** A new key pair for {@code identity} and its certificate. */
    public static NodeCredentials enrol(String identity, String issuerName, PrivateKey issuerKey, Instant notBefore, Instant notAfter) {
        return enrol(identity, KeyFiles.generate(), issuerName, issuerKey, notBefore, notAfter);
    }

    /** A certificate for {@code identity} and the given node key pair. */
    public static NodeCredentials enrol(String identity, KeyPair node, String issuerName, PrivateKey issuerKey, Instant notBefore,
                                        Instant notAfter) {
        return new NodeCredentials(node.getPrivate(),
                NodeCertificate.issue(identity, node.getPublic(), issuerName, issuerKey, notBefore, notAfter));
    }
}
