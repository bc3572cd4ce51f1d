package io.drover.sandbox;

import io.drover.security.KeyFiles;
import io.drover.security.NodeCredentials;
import io.drover.security.ReplySigner;
import io.drover.security.ReplyVerifier;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throwaway fleet issuer for one sandbox run: it enrols every emulated node (a certificate each, naming its
 * identity), and the sandbox's client trusts only it, so the zero-install default verifies replies like a real
 * deploy. Nothing touches the disk.
 * <p>
 * The emulated nodes share one node key: they all live in this JVM, so separate keys would isolate nothing,
 * and generating thousands of Ed25519 key pairs would dominate the sandbox's start. The runner's checks are
 * the same (certificate per identity, identity = sender, signature, request digest).
 */
final class SandboxIssuer {
    static final String NAME = "sandbox-issuer";

    private final KeyPair keys = KeyFiles.generate();
    private final KeyPair nodeKeys = KeyFiles.generate();
    private final Instant notBefore = Instant.now().minus(Duration.ofMinutes(5));
    private final Instant notAfter = Instant.now().plus(Duration.ofDays(7));

    static SandboxIssuer create() {
        return new SandboxIssuer();
    }

    /** Enrols each identity and returns the signer holding their credentials. */
    ReplySigner enrol(List<String> identities) {
        List<NodeCredentials> nodes = new ArrayList<>(identities.size());
        for (String identity : identities) {
            nodes.add(NodeCredentials.enrol(identity, nodeKeys, NAME, keys.getPrivate(), notBefore, notAfter));
        }
        return ReplySigner.of(nodes);
    }

    ReplyVerifier verifier() {
        return new ReplyVerifier(Map.of(NAME, keys.getPublic()), Clock.systemUTC());
    }
}
