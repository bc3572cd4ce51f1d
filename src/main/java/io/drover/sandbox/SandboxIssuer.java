package io.drover.sandbox;

import io.drover.security.KeyFiles;
import io.drover.security.NodeCredentials;
import io.drover.security.ReplySigner;
import io.drover.security.ReplyVerifier;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Enrols emulated nodes: a throwaway fleet issuer for one sandbox run (the sandbox's client trusts only it, so
 * the zero-install default verifies replies like a real deploy), or a real issuer key for {@code drover emulate}.
 * Nothing touches the disk.
 * <p>
 * The emulated nodes share one node key, a certificate each naming its identity: they all live in one JVM, so
 * separate keys would isolate nothing, and generating thousands of Ed25519 key pairs would dominate the start.
 * The runner's checks are the same (certificate per identity, identity = sender, signature, request digest).
 */
public final class SandboxIssuer {
    static final String NAME = "sandbox-issuer";
    private static final Duration VALIDITY = Duration.ofDays(7);

    private final KeyPair keys = KeyFiles.generate();

    private SandboxIssuer() {
    }

    static SandboxIssuer create() {
        return new SandboxIssuer();
    }

    /** Enrols each identity with this throwaway issuer. */
    ReplySigner enrol(List<String> identities) {
        return enrol(identities, NAME, keys.getPrivate());
    }

    /** Enrols each identity with the issuer key {@code issuerKey} named {@code issuerName}, valid for a week. */
    public static ReplySigner enrol(List<String> identities, String issuerName, PrivateKey issuerKey) {
        KeyPair nodeKeys = KeyFiles.generate();
        Instant notBefore = Instant.now().minus(Duration.ofMinutes(5));
        Instant notAfter = notBefore.plus(VALIDITY);
        List<NodeCredentials> nodes = new ArrayList<>(identities.size());
        for (String identity : identities) {
            nodes.add(NodeCredentials.enrol(identity, nodeKeys, issuerName, issuerKey, notBefore, notAfter));
        }
        return ReplySigner.of(nodes);
    }

    ReplyVerifier verifier() {
        return new ReplyVerifier(Map.of(NAME, keys.getPublic()), Clock.systemUTC());
    }
}
