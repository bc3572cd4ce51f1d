package io.drover.testing;

import io.drover.security.KeyFiles;
import io.drover.security.NodeCertificate;
import io.drover.security.NodeCredentials;
import io.drover.security.ReplySigner;
import io.drover.security.ReplyVerifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * A fleet issuer for tests: enrols nodes in memory (for in-process agents) or on disk (for agent processes and
 * agent.yaml fixtures), and gives the verifier a runner trusting only it would use.
 */
public final class TestIssuer {
    private final String name;
    private final KeyPair keys = KeyFiles.generate();

    private TestIssuer(String name) {
        this.name = name;
    }

    public static TestIssuer create(String name) {
        return new TestIssuer(name);
    }

    public String name() {
        return name;
    }

    public KeyPair keys() {
        return keys;
    }

    /** A key pair and a certificate for {@code identity}, valid from an hour ago for a day. */
    public NodeCredentials enrol(String identity) {
        Instant now = Instant.now();
        return NodeCredentials.enrol(identity, name, keys.getPrivate(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
    }

    /** A signer holding fresh credentials for each identity. */
    public ReplySigner signer(String... identities) {
        return ReplySigner.of(Arrays.stream(identities).map(this::enrol).toList());
    }

    /** Verifies replies against this issuer only. */
    public ReplyVerifier verifier() {
        return new ReplyVerifier(Map.of(name, keys.getPublic()), Clock.systemUTC());
    }

    /** Writes {@code dir/NAME.pub}, as {@code -Ddrover.issuer} wants it, and returns it. */
    public Path writePublic(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".pub");
        KeyFiles.writePublic(file, keys.getPublic());
        return file;
    }

    /**
     * Enrols {@code identity} on disk the way an operator would: {@code dir/node.key} (0600) and {@code dir/node.crt},
     * the defaults an agent.yaml in {@code dir} reads.
     */
    public void enrolFiles(String identity, Path dir) throws IOException {
        Files.createDirectories(dir);
        enrolFiles(identity, dir.resolve("node.key"), dir.resolve("node.crt"));
    }

    /** Enrols {@code identity} into the given key (0600) and certificate files, e.g. for several agents in one directory. */
    public void enrolFiles(String identity, Path keyFile, Path certificateFile) throws IOException {
        NodeCredentials node = enrol(identity);
        KeyFiles.writePrivate(keyFile, node.key());
        Files.deleteIfExists(certificateFile);
        node.certificate().write(certificateFile);
    }

    /** The compact certificate of a fresh enrolment, for hand-made replies. */
    public NodeCertificate certificateFor(String identity) {
        return enrol(identity).certificate();
    }
}
