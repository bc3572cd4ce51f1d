package io.drover.runner;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping the runner stops the deploy. A real run in a child JVM (Cucumber on a feature of slow steps, the
 * Drover glue, a real broker) behind a shell wrapper, the way Maven forks its tests: killing the wrapper
 * mid-run ends that JVM within seconds, and no further step reaches the hosts.
 */
class RunnerStopIT {
    private static final int STEPS = 10;
    private static final int STEP_MS = 1500;

    @TempDir
    Path dir;

    @Test
    void killingTheRunnersParentStopsTheDeploy() throws Exception {
        KeyFiles.create(dir.resolve("keys"), "runner");
        Path audit = dir.resolve("audit.log");
        String collective = "stop-" + UUID.randomUUID().toString().substring(0, 8);
        FleetSpec spec = new FleetSpec(collective, List.of(new NodeSpec("slow1.example.com", List.of(collective), Set.of(), Map.of(),
                Map.of("nrpe", Map.of("provider", "sandbox", "commands",
                        Map.of("check_slow", Map.of("output", "SLOW OK", "delay_ms", STEP_MS)))))));
        StringBuilder feature = new StringBuilder("Feature: A slow deploy\n  Scenario: Slow checks\n"
                + "    Given each step may take up to 120 seconds\n");
        for (int i = 0; i < STEPS; i++) {
            feature.append("    Then the nrpe check check_slow should pass\n");
        }
        Path featureFile = Files.writeString(dir.resolve("slow.feature"), feature);

        TestIssuer issuer = TestIssuer.create("fleet");
        Path issuerKey = issuer.writePublic(dir.resolve("issuer"));
        try (TestBroker broker = TestBroker.embedded();
             AuditLog auditLog = AuditLog.toFile(audit);
             EmulatedFleet fleet = EmulatedFleet.start(spec, broker.connector(), "slow fleet",
                     new RequestSecurity(new RequestVerifier(TrustedKeys.load(dir.resolve("keys"))), null, auditLog,
                             issuer.signer("slow1.example.com")))) {
            Path log = dir.resolve("runner.log");
            Process wrapper = startBehindShell(log, List.of(
                    "-Ddrover.broker=" + broker.connector().uris().get(0),
                    "-Ddrover.collective=" + collective,
                    "-Ddrover.key=" + dir.resolve("keys/runner.key"),
                    "-Ddrover.issuer=" + issuerKey,
                    "-Ddrover.discovery.timeout=10",
                    "io.cucumber.core.cli.Main", "--glue", "io.drover.steps", "--plugin", "pretty", featureFile.toString()));
            ProcessHandle runner = null;
            try {
                long deadline = System.nanoTime() + 300_000_000_000L;
                while (checksRun(audit) < 2) {
                    assertTrue(wrapper.isAlive(), () -> "the run ended early:\n" + read(log));
                    assertTrue(System.nanoTime() < deadline, () -> "no two steps ran within 300 s:\n" + read(log));
                    Thread.sleep(100);
                }
                List<ProcessHandle> children = wrapper.toHandle().children().toList();
                assertTrue(children.size() == 1, "the shell runs one JVM: " + children);
                runner = children.get(0);

                wrapper.destroyForcibly();
                int atKill = checksRun(audit);
                ProcessHandle jvm = runner;
                long killedAt = System.nanoTime();
                while (jvm.isAlive() && System.nanoTime() - killedAt < 30_000_000_000L) {
                    Thread.sleep(100);
                }
                assertTrue(!jvm.isAlive(), () -> "the runner JVM still runs 30 s after its parent was killed:\n" + read(log));
                // Longer than a step: anything still in flight has reached the audit log by now.
                Thread.sleep(2 * STEP_MS + 1000);
                int total = checksRun(audit);
                assertTrue(total <= atKill + 1, "after the kill at most the step already sent may finish; " + atKill
                        + " checks had run, now " + total + ":\n" + read(log));
                assertTrue(total < STEPS, "the deploy did not run to its end: " + total);
                // Said by the watchdog, or by the next step when it noticed first (the run then ends before the
                // watchdog's next look).
                assertTrue(read(log).contains("Stopping the deploy: ") || read(log).contains("The deploy is stopping: "), read(log));
            } finally {
                wrapper.destroyForcibly();
                if (runner != null) {
                    runner.destroyForcibly();
                }
            }
        }
    }

    /**
     * Starts {@code java ARGS} behind {@code sh}, which stays the JVM's parent (it has more to do after java),
     * as Maven's fork wrapper does.
     */
    private static Process startBehindShell(Path log, List<String> args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("sh", "-c", "\"$0\" \"$@\"; exit $?",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", classpath));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** How many slow checks the node ran, by its audit log. */
    private static int checksRun(Path audit) throws IOException {
        if (!Files.exists(audit)) {
            return 0;
        }
        return (int) Files.readAllLines(audit).stream()
                .filter(line -> line.contains("\"check_slow\"") && line.contains("\"verdict\":\"ran\"")).count();
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log).stream().collect(Collectors.joining("\n")) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
