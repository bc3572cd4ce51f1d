package io.drover.agents.pkg;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.command.Programs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The host's own package state, to prove that a test aimed at a private root changed none of it: the dpkg
 * database and log, the rpm database, and the places the test package would land.
 */
final class HostPackages {
    private final Map<String, String> facts;

    private HostPackages(Map<String, String> facts) {
        this.facts = facts;
    }

    static HostPackages snapshot(CommandRunner runner) throws Exception {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("/var/lib/dpkg/status", digest(Path.of("/var/lib/dpkg/status")));
        facts.put("mywebapp lines in /var/log/dpkg.log", lines(Path.of("/var/log/dpkg.log")));
        facts.put("/var/lib/rpm", digest(Path.of("/var/lib/rpm")));
        if (Programs.exists("rpm")) {
            facts.put("rpm -qa", runner.check(Command.of("rpm", "-qa")).stdout());
        }
        for (String path : new String[]{"/opt/mywebapp", "/etc/mywebapp", "/var/lib/mywebapp"}) {
            facts.put(path, Files.exists(Path.of(path)) ? "exists" : "absent");
        }
        return new HostPackages(facts);
    }

    void assertUnchanged(CommandRunner runner) throws Exception {
        assertEquals(facts, snapshot(runner).facts, "the host's own packages must be untouched");
    }

    private static String lines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "absent";
        }
        try (Stream<String> lines = Files.lines(log)) {
            return Long.toString(lines.filter(line -> line.contains("mywebapp")).count());
        }
    }

    /** SHA-256 of a file, or of every regular file of a directory (names and contents). */
    private static String digest(Path path) throws IOException, NoSuchAlgorithmException {
        if (!Files.exists(path)) {
            return "absent";
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                sha.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(file));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
