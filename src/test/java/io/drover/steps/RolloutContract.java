package io.drover.steps;

import io.drover.agent.NodeSpec;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.catalog.IpAddress;
import io.drover.agents.nrpe.NrpeAgent;
import io.drover.agents.nrpe.SandboxChecks;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.runner.Constants;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.testing.FeatureRun;
import io.drover.testing.TestBroker;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollouts on the emulated fleet of {@code sandbox/fleet.yaml}, in a collective of the test's own: a failure budget
 * within and over its limit (failed, refused and silent hosts all count), the recap, a scenario that fails at its end
 * when a host failed within the budget, the rerun file written and used, and health gates that pass on a known
 * attempt or never. Run on the embedded broker and on RabbitMQ.
 */
abstract class RolloutContract {
    private static final Path SEED = Path.of("features/deploy.feature");
    private static final Path FEATURES = Path.of("src/test/resources/io/drover/steps/rollout");
    private static final Path RERUN = Path.of(RerunFile.PATH);
    private static final List<String> DE_DEV = List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com",
            "dev4.de.example.com");
    private static final String BROKEN = "dev3.de.example.com";
    private static final String DPKG_ERROR = "E: Sub-process /usr/bin/dpkg returned an error code (1)";

    private TestBroker broker;
    private EmulatedFleet fleet;
    private DroverClient client;
    private DroverSession session;
    private DroverSession previous;
    private String collective;

    abstract TestBroker startBroker();

    abstract String name();

    @BeforeEach
    void startFleet() throws Exception {
        broker = startBroker();
        collective = "it-rollout-" + UUID.randomUUID().toString().substring(0, 8);
        FleetSpec seed = FleetSpec.load(Path.of("sandbox/fleet.yaml"));
        FleetSpec spec = new FleetSpec(collective, seed.nodes().stream().map(node -> new NodeSpec(node.identity(), List.of(collective),
                node.classes(), node.facts(), node.agents())).toList());
        fleet = EmulatedFleet.start(spec, broker.connector(), "rollout fleet");
        client = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective));
        session = session(Map.of());
        previous = DroverSession.install(session);
        Files.deleteIfExists(RERUN);
    }

    /** A session of this fleet with these drover.* settings. */
    private DroverSession session(Map<String, String> settings) {
        return DroverSession.of(RunnerConfig.read(settings::get, env -> null), client, null);
    }

    @AfterEach
    void stopFleet() throws Exception {
        DroverSession.install(previous);
        try {
            client.close();
            fleet.close();
            try (var connection = broker.connector().connect("rollout test cleanup"); var channel = connection.createChannel()) {
                Topology.deleteExchanges(channel, collective);
                Topology.deleteRegistry(channel, collective);
            }
        } finally {
            broker.close();
        }
    }

    private SandboxPackages packages(String identity) {
        return (SandboxPackages) fleet.node(identity).plugin("package", PackageAgent.class).packages();
    }

    private SandboxChecks checks(String identity) {
        return (SandboxChecks) fleet.node(identity).plugin("nrpe", NrpeAgent.class).checks();
    }

    private boolean loadBalancerBlocked(String identity) throws Exception {
        return fleet.node(identity).plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse("192.168.1.1"));
    }

    private Path reports() {
        return Path.of("target/rollout-" + name());
    }

    private static String attachments(FeatureRun run, String step) {
        return String.join("\n", run.steps().stream().filter(s -> s.text().equals(step)).findFirst().orElseThrow().attachments());
    }

    /** The cells of {@code host}'s row in a rendered table. */
    private static List<String> row(String table, String host) {
        String line = table.lines().filter(l -> l.startsWith("  | " + host + " ")).findFirst().orElseThrow(() -> new AssertionError(table));
        String[] cells = line.strip().split("\\|");
        return java.util.Arrays.stream(cells).skip(1).map(String::strip).toList();
    }

    @Test
    void withinTheBudgetAFailedHostDropsOutTheRolloutGoesOnAndTheScenarioFailsAtItsEnd() throws Exception {
        packages(BROKEN).breakPackage("mywebapp", DPKG_ERROR);

        FeatureRun run = FeatureRun.of(FEATURES.resolve("budget-one-host.feature"), reports(), "within-budget");

        assertEquals(1, run.failedScenarios(), "a failed host makes the run fail, even within the budget");
        assertEquals(11, run.stepsWithStatus("passed").size(), run.stepStatuses().toString());
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("1 host failed within the failure budget") && message.contains(BROKEN)
                && message.contains("at 'update mywebapp'") && message.contains(DPKG_ERROR), message);
        assertTrue(message.contains("-Ddrover.hosts=@" + RerunFile.PATH), message);
        // The update's table still shows the failure; the later steps asked the three others only.
        String update = attachments(run, "When I update the package mywebapp");
        assertTrue(update.contains(BROKEN) && update.contains("FAILED") && update.contains("3 of 4 hosts OK"), update);
        String unblock = attachments(run, "When I unblock the load balancer");
        assertTrue(unblock.contains("3 of 3 hosts OK") && !unblock.contains(BROKEN), unblock);
        for (String host : DE_DEV) {
            boolean broken = host.equals(BROKEN);
            assertEquals(broken, loadBalancerBlocked(host), host + " keeps the state it reached");
            assertEquals(broken ? "4.2.6-2.el5" : "4.2.6-3.el5", packages(host).status("mywebapp").version());
        }
        String recap = String.join("\n", run.afterHookAttachments());
        assertTrue(recap.contains("Recap of 4 hosts: 3 changed, 1 failed"), recap);
        assertEquals(List.of(BROKEN, "1 of 1", "update mywebapp", "failed", "FAILED: " + DPKG_ERROR), row(recap, BROKEN));
        assertEquals(List.of("dev1.de.example.com", "1 of 1", "check 192.168.1.1 is unblocked", "changed", ""),
                row(recap, "dev1.de.example.com"));
        assertEquals(List.of("# Hosts that failed in the last run; rerun them with -Ddrover.hosts=@" + RerunFile.PATH, BROKEN),
                Files.readAllLines(RERUN));

        // Fixed, the failed host alone is deployed to: discovery is narrowed to the rerun file.
        packages(BROKEN).repair("mywebapp");
        // Blocked by hand on dev1: a run narrowed to dev3 must leave it so.
        fleet.node("dev1.de.example.com").plugin("firewall", FirewallAgent.class).firewall().block(IpAddress.parse("192.168.1.1"));
        DroverSession.install(session(Map.of(Constants.HOSTS_PROPERTY_NAME, "@" + RerunFile.PATH)));
        FeatureRun rerun = FeatureRun.of(SEED, reports(), "rerun");
        assertEquals(1, rerun.passedScenarios(), () -> rerun.failureMessage().orElse(""));
        String block = attachments(rerun, "When I block the load balancer");
        assertTrue(block.contains("1 of 1 hosts OK") && block.contains(BROKEN), block);
        assertEquals("4.2.6-3.el5", packages(BROKEN).status("mywebapp").version());
        assertFalse(loadBalancerBlocked(BROKEN));
        assertTrue(loadBalancerBlocked("dev1.de.example.com"), "hosts not listed are not touched");
        assertFalse(Files.exists(RERUN), "a run without failed hosts leaves no rerun file behind");
    }

    @Test
    void aListedHostThatDoesNotAnswerFailsDiscoveryByName() throws Exception {
        fleet.stop("dev2.de.example.com");
        DroverSession.install(session(Map.of(Constants.HOSTS_PROPERTY_NAME, "dev2.de.example.com, dev3.de.example.com")));
        FeatureRun run = FeatureRun.of(SEED, reports(), "rerun-silent");
        assertEquals(1, run.failedScenarios());
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("dev2.de.example.com") && message.contains("did not answer discovery") && !message.contains("| dev3"),
                message);
        assertTrue(message.contains("Nothing was changed"), message);
        for (String host : DE_DEV) {
            assertFalse(loadBalancerBlocked(host));
        }
    }

    @Test
    void overTheBudgetTheStepFailsAndTheRestIsSkippedWithTheReason() throws Exception {
        packages(BROKEN).breakPackage("mywebapp", DPKG_ERROR);
        packages("dev4.de.example.com").breakPackage("mywebapp", DPKG_ERROR);

        FeatureRun run = FeatureRun.of(FEATURES.resolve("budget-one-host.feature"), reports(), "over-budget");

        assertEquals(1, run.failedScenarios());
        assertEquals(List.of("When I update the package mywebapp"), run.stepsWithStatus("failed"));
        assertEquals(List.of("Then the package version for mywebapp should be 4.2.6-3.el5", "When I unblock the load balancer",
                "Then traffic from the load balancer should be unblocked"), run.stepsWithStatus("skipped"));
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("update mywebapp failed on 2 of 4 hosts"), message);
        assertTrue(message.contains("failure budget: at most 1 failed host per batch; 2 of 4 hosts of this batch failed"), message);
        assertTrue(message.contains("The remaining steps are skipped"), message);
        String recap = String.join("\n", run.afterHookAttachments());
        assertTrue(recap.contains("Recap of 4 hosts: 2 changed, 2 failed"), recap);
        assertEquals(List.of(BROKEN, "dev4.de.example.com"), Files.readAllLines(RERUN).subList(1, 3));
        for (String host : DE_DEV) {
            assertTrue(loadBalancerBlocked(host), "the rollout halted where it was on " + host);
        }
    }

    @Test
    void aRefusingHostCountsAsFailedAndPercentagesRoundDown() throws Exception {
        for (String host : DE_DEV) {
            if (!host.equals("dev4.de.example.com")) {
                checks(host).define("check_partial", 0, "OK - partial", 0);
            }
        }
        FeatureRun tenPercent = FeatureRun.of(FEATURES.resolve("refused-10-percent.feature"), reports(), "refused-10");
        assertEquals(List.of("Then the nrpe check check_partial should pass"), tenPercent.stepsWithStatus("failed"));
        String message = tenPercent.failureMessage().orElseThrow();
        assertTrue(message.contains("at most 10% failed hosts per batch (0 of 4 hosts, rounded down)") && message.contains("dev4.de.example.com"),
                message);

        FeatureRun quarter = FeatureRun.of(FEATURES.resolve("refused-25-percent.feature"), reports(), "refused-25");
        assertEquals(5, quarter.stepsWithStatus("passed").size(), quarter.stepStatuses().toString());
        assertEquals(1, quarter.failedScenarios());
        assertTrue(quarter.failureMessage().orElseThrow().contains("dev4.de.example.com at 'check check_partial passes'"),
                quarter.failureMessage().orElseThrow());
        String load = attachments(quarter, "And the nrpe check check_load should pass");
        assertTrue(load.contains("3 of 3 hosts OK") && !load.contains("dev4"), load);
    }

    @Test
    void aHostThatDoesNotAnswerCountsAsFailed() throws Exception {
        for (String host : DE_DEV) {
            checks(host).define("check_hang", 0, "OK - fine", host.equals("dev4.de.example.com") ? 6_000 : 0);
        }
        FeatureRun run = FeatureRun.of(FEATURES.resolve("silent-host.feature"), reports(), "silent-host");
        assertEquals(6, run.stepsWithStatus("passed").size(), run.stepStatuses().toString());
        assertEquals(1, run.failedScenarios());
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("dev4.de.example.com at 'check check_hang passes': NO REPLY: no reply within 2 s"), message);
        String load = attachments(run, "And the nrpe check check_load should pass");
        assertTrue(load.contains("3 of 3 hosts OK") && !load.contains("dev4"), load);
    }

    @Test
    void aGateAsksAgainOnlyTheHostsNotYetPassingAndPassesOnTheirKthAttempt() throws Exception {
        for (String host : DE_DEV) {
            // dev2 is ready on its 3rd check, dev4 on its 2nd, the others at once.
            checks(host).defineSettling("check_settling", host.equals("dev2.de.example.com") ? 2 : host.equals("dev4.de.example.com") ? 1 : 0,
                    0, "OK - ready");
        }
        FeatureRun run = FeatureRun.of(FEATURES.resolve("gate-settles.feature"), reports(), "gate-settles");
        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        String gate = attachments(run, "Then within 2 minutes the nrpe check check_settling should pass");
        assertTrue(gate.contains("within 120 s: 4 of 4 hosts OK after 3 attempts, every 1 s"), gate);
        assertTrue(gate.contains("| dev1.de.example.com | OK     | 1        |"), gate);
        assertTrue(gate.contains("| dev2.de.example.com | OK     | 3        |"), gate);
        assertTrue(gate.contains("| dev4.de.example.com | OK     | 2        |"), gate);
        String service = attachments(run, "And within 30 seconds the service httpd should be running");
        assertTrue(service.contains("4 of 4 hosts OK after 1 attempt,"), service);
        assertTrue(run.afterHookAttachments().stream().anyMatch(text -> text.contains("Recap of 4 hosts: 4 changed")),
                run.afterHookAttachments().toString());
    }

    @Test
    void aGateThatNeverPassesFailsNamingTheHostAndItsLastAnswer() throws Exception {
        for (String host : DE_DEV) {
            checks(host).defineSettling("check_settling", host.equals(BROKEN) ? 1_000_000 : 0, 0, "OK - ready");
        }
        FeatureRun run = FeatureRun.of(FEATURES.resolve("gate-never.feature"), reports(), "gate-never");
        assertEquals(List.of("Then within 3 seconds the nrpe check check_settling should pass"), run.stepsWithStatus("failed"));
        assertEquals(List.of("And the service httpd should be running"), run.stepsWithStatus("skipped"));
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("check check_settling passes within 3 s failed on 1 of 4 hosts"), message);
        assertTrue(message.contains("| " + BROKEN + " | FAILED |") && message.contains("CRITICAL: CRITICAL - settling: run "), message);
        assertFalse(message.contains("| dev1.de.example.com"), message);
    }
}
