package io.drover.steps;

import io.drover.agent.NodeSpec;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.catalog.IpAddress;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.security.AuditLog;
import io.drover.security.RequestSecurity;
import io.drover.testing.FeatureRun;
import io.drover.testing.TestBroker;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollouts in batches on the emulated fleet of {@code sandbox/fleet.yaml} (four German dev servers), in a collective of
 * the test's own: the seed feature with the single line {@code And I update hosts in batches of 2}, a ramp, a failure
 * within the budget in batch 2 (the rollout goes on) and over it in batch 1 (batch 2 never starts). How many hosts were
 * blocked at once is counted from the nodes' audit log, one log for the whole fleet in the order the nodes recorded:
 * a host counts as blocked from the moment its block started until its unblock ran, so the count can only be too high.
 * Run on the embedded broker and on RabbitMQ.
 */
abstract class BatchContract {
    private static final Path SEED = Path.of("features/deploy.feature");
    private static final Path ROLLOUT = Path.of("src/test/resources/io/drover/steps/rollout");
    private static final String PRE_DISCOVER = "    And I want to pre-discover how many hosts to update";
    private static final List<String> DE_DEV = List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com",
            "dev4.de.example.com");
    private static final String DPKG_ERROR = "E: Sub-process /usr/bin/dpkg returned an error code (1)";
    private static final String LOAD_BALANCER = "192.168.1.1";

    private TestBroker broker;
    private EmulatedFleet fleet;
    private DroverClient client;
    private DroverSession previous;
    private String collective;
    /** Every node's audit records, in the order they were written. */
    private final List<AuditLog.Entry> audit = Collections.synchronizedList(new ArrayList<>());

    abstract TestBroker startBroker();

    abstract String name();

    @BeforeEach
    void startFleet() throws Exception {
        broker = startBroker();
        collective = "it-batches-" + UUID.randomUUID().toString().substring(0, 8);
        FleetSpec seed = FleetSpec.load(Path.of("sandbox/fleet.yaml"));
        FleetSpec spec = new FleetSpec(collective, seed.nodes().stream().map(node -> new NodeSpec(node.identity(), List.of(collective),
                node.classes(), node.facts(), node.agents())).toList());
        fleet = EmulatedFleet.start(spec, broker.connector(), "batch fleet", new RequestSecurity(null, null, audit::add, null));
        client = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective));
        previous = DroverSession.install(DroverSession.of(RunnerConfig.read(Map.<String, String>of()::get, env -> null), client, null));
        Files.deleteIfExists(Path.of(RerunFile.PATH));
    }

    @AfterEach
    void stopFleet() throws Exception {
        DroverSession.install(previous);
        try {
            client.close();
            fleet.close();
            try (var connection = broker.connector().connect("batch test cleanup"); var channel = connection.createChannel()) {
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

    private boolean blocked(String identity) throws Exception {
        return fleet.node(identity).plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse(LOAD_BALANCER));
    }

    private Path reports() {
        return Path.of("target/batches-" + name());
    }

    /** {@code feature} with {@code line} added right after its pre-discovery step, as an operator would add it. */
    private Path withLine(Path feature, String line, String name) throws Exception {
        String text = Files.readString(feature);
        assertTrue(text.contains(PRE_DISCOVER + "\n"), feature + " has the pre-discovery step");
        Path copy = reports().resolve(name + ".feature");
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, text.replace(PRE_DISCOVER + "\n", PRE_DISCOVER + "\n    " + line + "\n"));
        return copy;
    }

    /** The most hosts blocked at once, by the audit: from a block's start to the end of the unblock. */
    private int mostBlockedAtOnce() {
        TreeSet<String> now = new TreeSet<>();
        int most = 0;
        synchronized (audit) {
            for (AuditLog.Entry entry : audit) {
                if (!"firewall".equals(entry.agent()) || !LOAD_BALANCER.equals(String.valueOf(entry.params().get("address")))) {
                    continue;
                }
                if (entry.action().equals("block") && entry.verdict().equals("started")) {
                    now.add(entry.node());
                    most = Math.max(most, now.size());
                } else if (entry.action().equals("unblock") && entry.verdict().equals("ran")) {
                    now.remove(entry.node());
                }
            }
        }
        return most;
    }

    /** The hosts in the order their block started. */
    private List<String> blockOrder() {
        synchronized (audit) {
            return audit.stream().filter(e -> "firewall".equals(e.agent()) && e.action().equals("block") && e.verdict().equals("started"))
                    .map(AuditLog.Entry::node).toList();
        }
    }

    private static FeatureRun.Step step(FeatureRun run, String text) {
        return run.steps().stream().filter(s -> s.text().equals(text)).findFirst().orElseThrow(() -> new AssertionError(text));
    }

    private static String attachments(FeatureRun run, String text) {
        return String.join("\n", step(run, text).attachments());
    }

    /** The cells of {@code host}'s row in a rendered table. */
    private static List<String> row(String table, String host) {
        String line = table.lines().filter(l -> l.startsWith("  | " + host + " ")).findFirst().orElseThrow(() -> new AssertionError(table));
        return java.util.Arrays.stream(line.strip().split("\\|")).skip(1).map(String::strip).toList();
    }

    @Test
    void theSeedInBatchesOfTwoNeverHasMoreThanTwoHostsOutOfTheLoadBalancer() throws Exception {
        Path feature = withLine(SEED, "And I update hosts in batches of 2", "seed-batches-of-2");
        FeatureRun run = FeatureRun.of(feature, reports(), "seed-batches-of-2");

        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        assertEquals(2, mostBlockedAtOnce(), "batches of 2: two hosts out of the load balancer at a time, never more");
        List<String> order = blockOrder();
        assertEquals(4, order.size(), order.toString());
        // Within a batch the hosts act at once, in any order; the batches follow the sorted identities.
        assertEquals(new TreeSet<>(DE_DEV.subList(0, 2)), new TreeSet<>(order.subList(0, 2)), order.toString());
        assertEquals(new TreeSet<>(DE_DEV.subList(2, 4)), new TreeSet<>(order.subList(2, 4)), order.toString());
        for (String host : DE_DEV) {
            assertEquals("4.2.6-3.el5", packages(host).status("mywebapp").version(), host);
            assertFalse(blocked(host), host);
        }
        // The JSON report: the batch step holds every step of every batch, with its per-host table, in the order they ran.
        String batchStep = attachments(run, "And I update hosts in batches of 2");
        assertTrue(batchStep.contains("2 batches of 2 over 4 hosts, 6 steps each"), batchStep);
        List<String> scenarioSteps = List.of("When I block the load balancer", "Then traffic from the load balancer should be blocked",
                "When I update the package mywebapp", "Then the package version for mywebapp should be 4.2.6-3.el5",
                "When I unblock the load balancer", "Then traffic from the load balancer should be unblocked");
        int last = -1;
        for (String batch : List.of("batch 1 of 2 (dev1…, dev2…)", "batch 2 of 2 (dev3…, dev4…)")) {
            List<String> hosts = batch.startsWith("batch 1") ? DE_DEV.subList(0, 2) : DE_DEV.subList(2, 4);
            for (String text : scenarioSteps) {
                int at = batchStep.indexOf(batch + ": " + text + "\n", last + 1);
                assertTrue(at > last, batch + ": " + text + " after the previous one in\n" + batchStep);
                String table = batchStep.substring(at, batchStep.indexOf("\n\n", at) > 0 ? batchStep.indexOf("\n\n", at) : batchStep.length());
                assertTrue(table.contains("2 of 2 hosts OK"), table);
                for (String host : DE_DEV) {
                    assertEquals(hosts.contains(host), table.contains("| " + host + " "), host + " in " + table);
                }
                last = at;
            }
        }
        // Each step, reached by Cucumber, reports its batches and passes.
        for (String text : scenarioSteps) {
            FeatureRun.Step step = step(run, text);
            assertEquals("passed", step.status(), text);
            String reported = String.join("\n", step.attachments());
            assertTrue(reported.contains(text + " ran in 2 of 2 batches:\n  batch 1 of 2 (dev1…, dev2…): passed\n"
                    + "  batch 2 of 2 (dev3…, dev4…): passed"), reported);
            assertTrue(reported.contains("batch 1 of 2 (dev1…, dev2…): " + text + "\n") && reported.contains("| dev1.de.example.com ")
                    && reported.contains("batch 2 of 2 (dev3…, dev4…): " + text + "\n") && reported.contains("| dev4.de.example.com "),
                    reported);
        }
        String recap = String.join("\n", run.afterHookAttachments());
        assertTrue(recap.contains("Recap of 4 hosts: 4 changed"), recap);
        assertEquals(List.of("dev2.de.example.com", "1 of 2", "check 192.168.1.1 is unblocked", "changed", ""),
                row(recap, "dev2.de.example.com"));
        assertEquals("2 of 2", row(recap, "dev3.de.example.com").get(1));
        // The HTML and JUnit reports have the batches too.
        String html = Files.readString(reports().resolve("seed-batches-of-2.html"), StandardCharsets.UTF_8);
        assertTrue(html.contains("batch 2 of 2 (dev3") && html.contains("I update hosts in batches of 2"), "HTML report");
        String junit = Files.readString(reports().resolve("seed-batches-of-2.xml"), StandardCharsets.UTF_8);
        assertTrue(junit.contains("I update hosts in batches of 2") && junit.contains("When I update the package mywebapp"), junit);
    }

    @Test
    void aRampGivesEachSizeInTurnAndRepeatsTheLast() throws Exception {
        Path feature = withLine(SEED, "And I update hosts in batches of 1, 2 and 25%", "seed-ramp");
        FeatureRun run = FeatureRun.of(feature, reports(), "seed-ramp");

        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        assertEquals(2, mostBlockedAtOnce(), "1, then 2, then 25% of 4 = 1");
        String batchStep = attachments(run, "And I update hosts in batches of 1, 2 and 25%");
        assertTrue(batchStep.contains("3 batches of 1, 2 and 25% over 4 hosts") && batchStep.contains("batch 1 of 3 (dev1…): 1 host")
                && batchStep.contains("batch 2 of 3 (dev2…, dev3…): 2 hosts") && batchStep.contains("batch 3 of 3 (dev4…): 1 host"), batchStep);
        String recap = String.join("\n", run.afterHookAttachments());
        assertEquals(List.of("1 of 3", "2 of 3", "2 of 3", "3 of 3"), DE_DEV.stream().map(host -> row(recap, host).get(1)).toList());
        for (String host : DE_DEV) {
            assertEquals("4.2.6-3.el5", packages(host).status("mywebapp").version(), host);
            assertFalse(blocked(host), host);
        }
    }

    @Test
    void aFailureWithinTheBudgetInBatchTwoDropsTheHostAndTheRolloutGoesOn() throws Exception {
        String broken = "dev2.de.example.com";
        packages(broken).breakPackage("mywebapp", DPKG_ERROR);
        Path feature = withLine(ROLLOUT.resolve("budget-one-host.feature"), "And I update hosts in batches of 1", "within-budget");
        FeatureRun run = FeatureRun.of(feature, reports(), "within-budget");

        assertEquals(1, run.failedScenarios(), "a failed host fails the run at its end");
        assertTrue(run.stepsWithStatus("failed").isEmpty() && run.stepsWithStatus("skipped").isEmpty(), run.stepStatuses().toString());
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("1 host failed within the failure budget") && message.contains(broken), message);
        for (String host : DE_DEV) {
            boolean failed = host.equals(broken);
            assertEquals(failed ? "4.2.6-2.el5" : "4.2.6-3.el5", packages(host).status("mywebapp").version(), host);
            assertEquals(failed, blocked(host), host + ": the failed host keeps the state it reached");
        }
        assertEquals(2, mostBlockedAtOnce(), "one batch of 1 at a time, plus dev2, which failed and stays out of the load balancer");
        String update = attachments(run, "When I update the package mywebapp");
        assertTrue(update.contains("  batch 2 of 4 (dev2…): passed") && update.contains("failed on 1 of 1 host, within the failure budget"),
                update);
        String unblock = attachments(run, "When I unblock the load balancer");
        assertTrue(unblock.contains("batch 2 of 4 (dev2…): When I unblock the load balancer: unblock 192.168.1.1: no host left to ask"),
                unblock);
        assertTrue(unblock.contains("batch 4 of 4 (dev4…): When I unblock the load balancer\nunblock 192.168.1.1"), unblock);
        String recap = String.join("\n", run.afterHookAttachments());
        assertEquals(List.of(broken, "2 of 4", "update mywebapp", "failed", "FAILED: " + DPKG_ERROR), row(recap, broken));
        assertEquals(List.of("dev4.de.example.com", "4 of 4", "check 192.168.1.1 is unblocked", "changed", ""),
                row(recap, "dev4.de.example.com"));
    }

    @Test
    void overTheBudgetInBatchOneBatchTwoNeverStarts() throws Exception {
        packages("dev1.de.example.com").breakPackage("mywebapp", DPKG_ERROR);
        Path feature = withLine(SEED, "And I update hosts in batches of 2", "over-budget");
        FeatureRun run = FeatureRun.of(feature, reports(), "over-budget");

        assertEquals(1, run.failedScenarios());
        assertEquals(List.of("When I update the package mywebapp"), run.stepsWithStatus("failed"));
        assertEquals(List.of("Then the package version for mywebapp should be 4.2.6-3.el5", "When I unblock the load balancer",
                "Then traffic from the load balancer should be unblocked"), run.stepsWithStatus("skipped"));
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.startsWith("batch 1 of 2 (dev1…, dev2…): update mywebapp failed on 1 of 2 hosts"), message);
        assertTrue(message.contains("batch 2 of 2 never started: its 2 hosts are unchanged"), message);
        assertTrue(attachments(run, "And I update hosts in batches of 2").contains("The rollout halted at 'When I update the package "
                + "mywebapp' in batch 1 of 2 (dev1…, dev2…)"));
        assertTrue(attachments(run, "When I block the load balancer").contains("ran in 1 of 2 batches"));
        assertEquals(new TreeSet<>(DE_DEV.subList(0, 2)), new TreeSet<>(blockOrder()), "batch 2 never started");
        assertEquals(2, blockOrder().size());
        for (String host : List.of("dev3.de.example.com", "dev4.de.example.com")) {
            assertFalse(blocked(host), host);
            assertEquals("4.2.6-2.el5", packages(host).status("mywebapp").version(), host);
        }
        assertTrue(blocked("dev1.de.example.com") && blocked("dev2.de.example.com"), "batch 1 halted where it was");
        String recap = String.join("\n", run.afterHookAttachments());
        assertEquals(List.of("dev3.de.example.com", "2 of 2", "-", "never started", ""), row(recap, "dev3.de.example.com"));
        assertEquals("failed", row(recap, "dev1.de.example.com").get(3));
    }

    @Test
    void theRollingExampleRunsACanaryThenHalfTheFleetAtATime() throws Exception {
        FeatureRun run = FeatureRun.of(Path.of("features/rolling.feature"), reports(), "rolling");
        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        assertEquals(2, mostBlockedAtOnce());
        String recap = String.join("\n", run.afterHookAttachments());
        assertEquals(List.of("1 of 3", "2 of 3", "2 of 3", "3 of 3"), DE_DEV.stream().map(host -> row(recap, host).get(1)).toList());
        String gate = attachments(run, "Then within 2 minutes the nrpe check check_mywebapp should pass");
        assertTrue(gate.contains("ran in 3 of 3 batches") && gate.contains("batch 3 of 3 (dev4…): Then within 2 minutes the nrpe check "
                + "check_mywebapp should pass\ncheck check_mywebapp passes (nrpe.run_command) within 120 s: 1 of 1 hosts OK"), gate);
        for (String host : DE_DEV) {
            assertEquals("4.2.6-3.el5", packages(host).status("mywebapp").version(), host);
            assertFalse(blocked(host), host);
        }
    }

    @Test
    void eachExampleOfAnOutlineRunsInItsOwnBatches() throws Exception {
        Path feature = reports().resolve("outline.feature");
        Files.createDirectories(feature.getParent());
        Files.writeString(feature, """
                Feature: Batches in an outline
                  Background:
                    Given the load balancer has ip address 192.168.1.1
                    And I want to update hosts with class roles::dev_server
                    And I want to update hosts with fact country=de
                  Scenario Outline: Install a version in batches of <size>
                    Given I update hosts in batches of <size>
                    When I install version <version> of the package mywebapp
                    Then the package version for mywebapp should be <version>

                    Examples:
                      | size | version     |
                      | 3    | 4.2.6-1.el5 |
                      | 50%  | 4.2.6-3.el5 |
                """);
        FeatureRun run = FeatureRun.of(feature, reports(), "outline");
        assertEquals(2, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        List<String> plans = run.steps().stream().filter(step -> step.text().startsWith("Given I update hosts in batches of"))
                .map(step -> String.join("\n", step.attachments())).toList();
        assertEquals(2, plans.size());
        assertTrue(plans.get(0).contains("2 batches of 3 over 4 hosts, 2 steps each") && plans.get(0).contains("batch 2 of 2 (dev4…): 1 host"),
                plans.get(0));
        assertTrue(plans.get(1).contains("2 batches of 50% over 4 hosts, 2 steps each"), plans.get(1));
        for (String host : DE_DEV) {
            assertEquals("4.2.6-3.el5", packages(host).status("mywebapp").version(), host);
        }
    }

    @Test
    void stepsABatchCannotRepeatAreRefusedBeforeAnythingChanges() throws Exception {
        Path feature = reports().resolve("refused.feature");
        Files.createDirectories(feature.getParent());
        Files.writeString(feature, """
                Feature: Refused under a batch step
                  Scenario: Custom and host-choosing steps after the batch step
                    Given the load balancer has ip address 192.168.1.1
                    And I want to update hosts with class roles::dev_server
                    And I update hosts in batches of 2
                    And I want to update hosts with fact country=de
                    When I block the load balancer
                    And I flush the cache of my own glue
                """);
        FeatureRun run = FeatureRun.of(feature, reports(), "refused");
        assertEquals(List.of("And I update hosts in batches of 2"), run.stepsWithStatus("failed"));
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("line 6: 'And I want to update hosts with fact country=de' chooses the hosts"), message);
        assertTrue(message.contains("line 8: 'And I flush the cache of my own glue' is not one of Drover's steps"), message);
        assertTrue(message.contains("Nothing was changed"), message);
        assertTrue(blockOrder().isEmpty());

        Path late = reports().resolve("after-an-action.feature");
        Files.writeString(late, """
                Feature: A batch step after an action
                  Scenario: Too late to cut batches
                    Given the load balancer has ip address 192.168.1.1
                    And I want to update hosts with class roles::dev_server
                    And I want to update hosts with fact country=de
                    Then traffic from the load balancer should be unblocked
                    And I update hosts in batches of 2
                    When I block the load balancer
                """);
        FeatureRun tooLate = FeatureRun.of(late, reports(), "after-an-action");
        assertEquals(List.of("And I update hosts in batches of 2"), tooLate.stepsWithStatus("failed"));
        assertTrue(tooLate.failureMessage().orElseThrow().contains("must come before the first step that acts on or checks hosts"),
                tooLate.failureMessage().orElseThrow());
        assertTrue(blockOrder().isEmpty());
    }
}
