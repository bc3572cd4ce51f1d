package io.drover.lock;

import io.drover.agent.NodeSpec;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.security.AuditLog;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;
import io.drover.testing.TestBroker;
import io.drover.testing.TestIssuer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs in separate JVMs (Cucumber's command line with the Drover glue, as a deploy runs) against one broker and
 * emulated fleet: while a first run holds lock1 and lock2 (a check that takes 10 minutes), a run on lock2 and
 * lock3 fails at discovery naming it, one that waits a few seconds fails the same way after its wait, and a run on
 * lock3 alone proceeds at the same time; then the holder is SIGKILLed, and a run on lock1 and lock2 that may wait
 * gets the lock and passes. No assertion on how fast: the holder never finishes by itself within the test.
 */
class DeployLockRunsIT {
    private static final String HOLD_MS = "600000";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "rabbitmq"})
    void overlappingRunsInSeparateJvmsExcludeEachOtherAndADeadHoldersLockIsFreed(String kind) throws Exception {
        KeyFiles.create(dir.resolve("keys"), "holder");
        KeyFiles.create(dir.resolve("keys"), "second");
        Path audit = dir.resolve("audit.log");
        String collective = "runs-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Map<String, Object>> agents = Map.of(
                "nrpe", Map.<String, Object>of("provider", "sandbox", "timeout", 900, "commands", Map.of(
                        "check_hold", Map.of("output", "HOLD OK", "delay_ms", Integer.parseInt(HOLD_MS)),
                        "check_overlap", Map.of("output", "MUST NOT RUN"),
                        "check_fast", Map.of("output", "FAST OK"))),
                "firewall", Map.<String, Object>of("provider", "sandbox"));
        List<NodeSpec> nodes = new ArrayList<>();
        for (String host : List.of("lock1.example.com", "lock2.example.com", "lock3.example.com")) {
            nodes.add(new NodeSpec(host, List.of(collective), Set.of(), Map.of(), agents));
        }
        Path holding = feature("holder.feature", "Feature: Holder\n  Scenario: Hold lock1 and lock2\n"
                + "    Given I want to update hosts with identity /^lock[12]\\./\n"
                + "    And each step may take up to 900 seconds\n"
                + "    And I want to pre-discover how many hosts to update\n"
                + "    Then the nrpe check check_hold should pass\n");
        Path overlapping = feature("overlap.feature", "Feature: Overlap\n  Scenario: Deploy lock2 and lock3\n"
                + "    Given I want to update hosts with identity /^lock[23]\\./\n"
                + "    And I want to pre-discover how many hosts to update\n"
                + "    Then the nrpe check check_overlap should pass\n");
        Path waitingBriefly = feature("brief.feature", "Feature: Brief wait\n  Scenario: Deploy lock2 after a short wait\n"
                + "    Given I want to update hosts with identity lock2.example.com\n"
                + "    And I wait up to 3 seconds for other deploys to finish\n"
                + "    And I want to pre-discover how many hosts to update\n"
                + "    Then the nrpe check check_overlap should pass\n");
        Path disjoint = feature("disjoint.feature", "Feature: Disjoint\n  Scenario: Deploy lock3\n"
                + "    Given I want to update hosts with identity lock3.example.com\n"
                + "    And I want to pre-discover how many hosts to update\n"
                + "    Then the nrpe check check_fast should pass\n");
        Path after = feature("after.feature", "Feature: After\n  Scenario: Deploy lock1 and lock2 once free\n"
                + "    Given I want to update hosts with identity /^lock[12]\\./\n"
                + "    And the load balancer has ip address 192.168.1.1\n"
                + "    And I wait up to 2 minutes for other deploys to finish\n"
                + "    And I want to pre-discover how many hosts to update\n"
                + "    Then traffic from the load balancer should be unblocked\n");

        TestIssuer issuer = TestIssuer.create("fleet");
        Path issuerKey = issuer.writePublic(dir.resolve("issuer"));
        try (TestBroker broker = "embedded".equals(kind) ? TestBroker.embedded() : TestBroker.rabbitMq();
             AuditLog auditLog = AuditLog.toFile(audit);
             EmulatedFleet fleet = EmulatedFleet.start(new FleetSpec(collective, nodes), broker.connector(), "lock fleet",
                     new RequestSecurity(new RequestVerifier(TrustedKeys.load(dir.resolve("keys"))), null, auditLog,
                             issuer.signer("lock1.example.com", "lock2.example.com", "lock3.example.com")))) {
            List<String> settings = List.of("-Ddrover.broker=" + broker.connector().uris().get(0),
                    "-Ddrover.collective=" + collective, "-Ddrover.issuer=" + issuerKey, "-Ddrover.discovery.timeout=10");
            Process holder = run("holder", settings, holding);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (!holdStarted(audit)) {
                    assertTrue(holder.isAlive(), () -> "the holder ended early (exit " + holder.exitValue() + "):\n" + read("holder"));
                    assertTrue(System.nanoTime() < deadline, () -> "the holder did not get to its check within 300 s:\n" + read("holder"));
                    Thread.sleep(200);
                }
                // Three runs at once, each in a JVM of its own, while the holder holds lock1 and lock2.
                Process overlap = run("overlap", settings, overlapping);
                Process brief = run("brief", settings, waitingBriefly);
                Process free = run("disjoint", settings, disjoint);
                int overlapExit = finish(overlap);
                int briefExit = finish(brief);
                int freeExit = finish(free);
                assertTrue(holder.isAlive(), () -> "the holder still holds its lock:\n" + read("holder"));

                String overlapOut = read("overlap");
                assertNotEquals(0, overlapExit, overlapOut);
                assertTrue(overlapOut.contains("Another deploy holds lock2.example.com (one of the 2 hosts discovered): caller holder, "
                        + "feature " + holding + ":2 (Hold lock1 and lock2), runner " + holder.pid() + "@"), overlapOut);
                assertTrue(overlapOut.contains(", since ") && overlapOut.contains("Nothing was changed."), overlapOut);
                String briefOut = read("brief");
                assertNotEquals(0, briefExit, briefOut);
                assertTrue(briefOut.contains("Another deploy holds lock2.example.com: caller holder") && briefOut.contains("; waited "),
                        briefOut);
                assertEquals(0, freeExit, () -> "a run on other hosts proceeds meanwhile:\n" + read("disjoint"));
                assertFalse(Files.readString(audit).contains("check_overlap"), "the refused runs sent nothing to the hosts");

                // SIGKILL: no shutdown hook, no goodbye; the broker notices the connection is gone.
                holder.destroyForcibly();
                assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
                Process next = run("after", settings, after);
                int nextExit = finish(next);
                String nextOut = read("after");
                assertEquals(0, nextExit, () -> "the next run gets the dead holder's lock:\n" + nextOut);
                assertTrue(nextOut.contains("Locked the 2 hosts against other deploys"), nextOut);
            } finally {
                holder.destroyForcibly();
            }
        }
    }

    private Path feature(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    /** Starts {@code java … io.cucumber.core.cli.Main FEATURE} as caller {@code key} ("holder" for the first run). */
    private Process run(String name, List<String> settings, Path feature) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "-Ddrover.key=" + dir.resolve("keys/" + ("holder".equals(name) ? "holder" : "second") + ".key")));
        command.addAll(settings);
        command.addAll(List.of("io.cucumber.core.cli.Main", "--glue", "io.drover.steps", "--plugin", "pretty", feature.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    private static int finish(Process process) throws InterruptedException {
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("a run did not end within 300 s");
        }
        return process.exitValue();
    }

    /** Whether the holder's long check started on lock1: it passed discovery, so it holds the lock. */
    private static boolean holdStarted(Path audit) throws IOException {
        return Files.exists(audit) && Files.readAllLines(audit).stream()
                .anyMatch(line -> line.contains("\"check_hold\"") && line.contains("\"verdict\":\"started\""));
    }

    private String read(String name) {
        try {
            Path log = dir.resolve(name + ".log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + name + ".log: " + e + ")";
        }
    }
}
