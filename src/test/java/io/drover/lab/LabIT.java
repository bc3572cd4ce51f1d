package io.drover.lab;

import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.protocol.Reply;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.testing.AgentProcess;
import io.drover.testing.FeatureRun;
import io.drover.testing.StepProbes;
import io.drover.testing.RealTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.drover.lab.MywebappPackages.NEW;
import static io.drover.lab.MywebappPackages.OLD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed deploy, features/deploy.feature unchanged, against real hosts ({@link Lab}): systemd containers
 * whose agents run as {@code drover-agent.service} from the build's .deb, with the real iptables, apt and
 * systemd providers, signed with the lab's caller key. The load balancer's namespace proves, right after the
 * steps that check it, that every node's web port really is unreachable while blocked and reachable (serving
 * the new version) after the unblock; dpkg-query inside each container proves the upgrade; a rerun changes
 * nothing. The failure variant: one node's repository lacks the new version, so the version check fails naming
 * it and the hosts stay blocked. The teardown must leave nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabIT {
    private static final Path FEATURE = Path.of("features/deploy.feature");
    private static final Path REPORTS = Path.of("target", "lab");
    private static final String BLOCKED = "traffic from the load balancer should be blocked";
    private static final String UNBLOCKED = "traffic from the load balancer should be unblocked";
    private static final String UPDATE = "When I update the package mywebapp";
    private static final String VERSION_CHECK = "Then the package version for mywebapp should be " + NEW;
    private static final String DROPPED = "timeout";
    /** A service the update or a restart just started may need a moment before it listens. */
    private static final Duration SERVICE_START = Duration.ofSeconds(20);
    private static final String FRENCH = "dev1.fr.example.com";

    @TempDir
    static Path work;
    private static Lab lab;

    @BeforeAll
    static void startTheLab() throws Exception {
        RealTools.requireRoot();
        RealTools.require("systemd-nspawn", "systemd-container");
        RealTools.require("nsenter", "util-linux");
        RealTools.require("ip", "iproute2");
        RealTools.require("iptables", "iptables");
        RealTools.require("dpkg-deb", "dpkg");
        RealTools.require("dpkg-scanpackages", "dpkg-dev");
        RealTools.require("apt-get", "apt");
        lab = new Lab(work);
        lab.start(agentDeb());
        lab.setupTimes().forEach((what, took) -> System.out.printf("LabIT setup: %-70s %6d ms%n", what, took.toMillis()));
    }

    @AfterAll
    static void theTeardownLeavesNothingBehind() throws IOException {
        if (lab == null) {
            return;
        }
        lab.close();
        lab.teardownReport().forEach(line -> System.out.println("LabIT teardown: " + line));
        assertEquals(List.of(), lab.leftovers(), "namespaces, links, mounts and processes of the lab left behind");
    }

    /** The newest target/drover-agent_*_all.deb, next to the agent jar the build made. */
    private static Path agentDeb() throws IOException {
        try (Stream<Path> files = Files.list(AgentProcess.jar().toAbsolutePath().getParent())) {
            return files.filter(file -> file.getFileName().toString().matches("drover-agent_.*_all\\.deb"))
                    .max(Comparator.comparing(file -> file.toFile().lastModified()))
                    .orElseThrow(() -> new IllegalStateException("no target/drover-agent_*_all.deb; run the package phase first"));
        }
    }

    @Test
    @Order(1)
    void everyAgentRunsFromThePackageAsTheHardenedUnitWithTheProvidersItFound() throws Exception {
        CallResult inventory = lab.client().call(Call.of("rpcutil", "inventory").to(new TreeSet<>(lab.nodes().keySet())));
        assertTrue(inventory.allOk(), inventory.toString());
        for (Map.Entry<String, Reply> reply : inventory.replies().entrySet()) {
            Map<String, Object> providers = new TreeMap<>();
            for (Object agent : (List<?>) reply.getValue().get("agents")) {
                Map<?, ?> plugin = (Map<?, ?>) agent;
                if (!"rpcutil".equals(plugin.get("name"))) {
                    providers.put((String) plugin.get("name"), plugin.get("provider"));
                }
            }
            System.out.printf("LabIT: %s detected %s%n", reply.getKey(), providers);
            assertEquals(Map.of("firewall", "iptables", "package", "apt", "service", "systemd", "nrpe", "nrpe"), providers,
                    reply.getKey() + ": provider auto resolves to the tools inside the container");
        }
        for (LabNode node : lab.nodes().values()) {
            Map<String, String> unit = node.unit(NodeSetup.AGENT_UNIT, "ActiveState", "FragmentPath", "MainPID");
            assertEquals("active", unit.get("ActiveState"), node.identity() + ": " + unit);
            assertTrue(unit.get("FragmentPath").endsWith("/lib/systemd/system/drover-agent.service"), unit.toString());
            assertTrue(node.check("dpkg-query", "-S", "/lib/systemd/system/drover-agent.service").startsWith("drover-agent: "),
                    "the unit comes from the package");
            String pid = unit.get("MainPID");
            String status = node.check("cat", "/proc/" + pid + "/status");
            assertTrue(status.contains("NoNewPrivs:\t1"), node.identity() + ": NoNewPrivileges is in force");
            assertTrue(status.contains("Seccomp:\t2"), node.identity() + ": a seccomp filter (RestrictAddressFamilies, ...) is in force");
            assertNotEquals(node.check("readlink", "/proc/1/ns/mnt"), node.check("readlink", "/proc/" + pid + "/ns/mnt"),
                    node.identity() + ": the agent has its own mount namespace (PrivateTmp, ProtectControlGroups)");
        }
    }

    @Test
    @Order(2)
    void theSeedDeployPassesOnRealHostsAndARerunLeavesEveryHostAsItWas() throws Exception {
        LoadBalancer lb = lab.loadBalancer();
        List<String> targets = lab.targets();
        assertEquals(lb.expect(targets, "connected mywebapp " + OLD, "connected mywebapp " + OLD),
                lb.probeUntilConnected(SERVICE_START), "before the deploy every node serves " + OLD + " to the load balancer");

        Deploy first = deploy("first");
        assertEquals(1, first.run().passedScenarios(), () -> first.run().failureMessage().orElse(""));
        assertEquals(lb.expect(targets, DROPPED, "connected mywebapp " + OLD), first.probes().get(BLOCKED),
                "right after the blocked check, the load balancer cannot reach a target; the French node was never blocked");
        assertEquals(lb.expect(targets, "connected mywebapp " + NEW, "connected mywebapp " + OLD), first.probes().get(UNBLOCKED),
                "right after the unblocked check, every target serves " + NEW + " to the load balancer");
        for (String step : List.of("When I block the load balancer", UPDATE, "When I unblock the load balancer")) {
            assertEquals(expectedChanges(targets, "true"), ReplyTables.changed(first.step(step)), step);
        }
        assertVersions(Map.of("dev1.de.example.com", NEW, "dev2.de.example.com", NEW, "dev3.de.example.com", NEW, FRENCH, OLD));

        Map<String, Long> dpkgRuns = dpkgLogLines();
        Map<String, String> rules = firewallRules();
        Deploy rerun = deploy("rerun");
        assertEquals(1, rerun.run().passedScenarios(), () -> rerun.run().failureMessage().orElse(""));
        assertEquals(expectedChanges(targets, "false"), ReplyTables.changed(rerun.step(UPDATE)), "the update changes nothing the second time");
        assertEquals(dpkgRuns, dpkgLogLines(), "no package was touched by the rerun");
        // The deploy takes each node out of the load balancer and back in again: block and unblock change, the net effect is nil.
        assertEquals(expectedChanges(targets, "true"), ReplyTables.changed(rerun.step("When I block the load balancer")));
        assertEquals(expectedChanges(targets, "true"), ReplyTables.changed(rerun.step("When I unblock the load balancer")));
        assertEquals(rules, firewallRules(), "every firewall is as before the rerun");
        assertEquals(lb.expect(targets, DROPPED, "connected mywebapp " + OLD), rerun.probes().get(BLOCKED));
        assertEquals(lb.expect(targets, "connected mywebapp " + NEW, "connected mywebapp " + OLD), rerun.probes().get(UNBLOCKED));
    }

    @Test
    @Order(3)
    void theAgentsRestartAServiceThroughSystemd() throws Exception {
        TreeSet<String> targets = new TreeSet<>(lab.targets());
        CallResult before = lab.client().call(Call.of("service", "status").param("service", "mywebapp").to(targets));
        CallResult restart = lab.client().call(Call.of("service", "restart").param("service", "mywebapp").to(targets));
        assertTrue(restart.allOk(), restart.toString());
        for (String node : targets) {
            assertTrue(restart.replies().get(node).changed());
            assertNotEquals(before.replies().get(node).get("pid"), restart.replies().get(node).get("pid"), node + ": a new process");
        }
        assertEquals(lab.loadBalancer().expect(lab.targets(), "connected mywebapp " + NEW, "connected mywebapp " + OLD),
                lab.loadBalancer().probeUntilConnected(SERVICE_START));
    }

    @Test
    @Order(4)
    void whenOneRepositoryLacksTheNewVersionTheVersionCheckFailsNamingThatNodeAndEveryTargetStaysBlocked() throws Exception {
        LoadBalancer lb = lab.loadBalancer();
        List<String> targets = lab.targets();
        String broken = "dev2.de.example.com";
        resetToBeforeTheDeploy();
        lab.packages().publish(lab.node(broken).container().root(), List.of(OLD));

        Deploy failed = deploy("failure");
        assertEquals(1, failed.run().failedScenarios(), "the deploy fails");
        Map<String, String> statuses = failed.run().stepStatuses();
        assertEquals("passed", statuses.get(UPDATE), "update passes: apt has nothing newer for " + broken + ", a no-op");
        assertEquals("failed", statuses.get(VERSION_CHECK), statuses.toString());
        assertEquals("skipped", statuses.get("When I unblock the load balancer"), "the unblock never runs");
        assertEquals("skipped", statuses.get("Then " + UNBLOCKED));
        Map<String, String> update = ReplyTables.changed(failed.step(UPDATE));
        assertEquals("OK changed=false", update.get(broken), update.toString());
        String message = failed.run().failureMessage().orElse("");
        System.out.println("LabIT: the failed step says:\n" + message);
        assertTrue(message.contains(broken) && message.contains("mywebapp " + OLD + " is installed; expected " + NEW), message);
        targets.stream().filter(node -> !node.equals(broken)).forEach(node -> assertFalse(message.contains(node), message));

        assertEquals(lb.expect(targets, DROPPED, "connected mywebapp " + OLD), failed.probes().get(BLOCKED));
        assertFalse(failed.probes().containsKey(UNBLOCKED));
        assertEquals(lb.expect(targets, DROPPED, "connected mywebapp " + OLD), lb.probe(SERVICE_START),
                "after the failed deploy every target, the failed one too, still drops the load balancer");
        assertVersions(Map.of("dev1.de.example.com", NEW, broken, OLD, "dev3.de.example.com", NEW, FRENCH, OLD));

        // Fix the cause and run the same feature again: it converges.
        lab.packages().publish(lab.node(broken).container().root(), List.of(OLD, NEW));
        Deploy fixed = deploy("fixed");
        assertEquals(1, fixed.run().passedScenarios(), () -> fixed.run().failureMessage().orElse(""));
        assertEquals(expectedChanges(targets, "false"), ReplyTables.changed(fixed.step("When I block the load balancer")),
                "still blocked from the failed run");
        Map<String, String> updated = expectedChanges(targets, "false");
        updated.put(broken, "OK changed=true");
        assertEquals(updated, ReplyTables.changed(fixed.step(UPDATE)));
        assertEquals(lb.expect(targets, "connected mywebapp " + NEW, "connected mywebapp " + OLD), fixed.probes().get(UNBLOCKED));
        assertVersions(Map.of("dev1.de.example.com", NEW, broken, NEW, "dev3.de.example.com", NEW, FRENCH, OLD));
    }

    @Test
    @Order(5)
    void systemdRestartsAnAgentThatDied() throws Exception {
        LabNode node = lab.node(FRENCH);
        Map<String, String> before = node.unit(NodeSetup.AGENT_UNIT, "MainPID", "NRestarts");
        node.check("kill", "-KILL", before.get("MainPID"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, String> after = before;
        while (System.nanoTime() < deadline && !(after.get("NRestarts").equals("1") && after.get("ActiveState").equals("active"))) {
            Thread.sleep(200);
            after = node.unit(NodeSetup.AGENT_UNIT, "MainPID", "NRestarts", "ActiveState");
        }
        assertEquals("1", after.get("NRestarts"), "Restart=on-failure: " + after);
        assertNotEquals(before.get("MainPID"), after.get("MainPID"));
        CallResult ping;
        do {
            ping = lab.client().call(Call.of("rpcutil", "ping").to(new TreeSet<>(List.of(FRENCH))).timeout(Duration.ofSeconds(2)));
        } while (!ping.allOk() && System.nanoTime() < deadline);
        assertTrue(ping.allOk(), "the restarted agent answers again: " + ping + "\n" + node.journal(NodeSetup.AGENT_UNIT));
    }

    @Test
    @Order(6)
    void aRollingDeployInBatchesOfTwoNeverHasMoreThanTwoHostsOutOfTheLoadBalancer() throws Exception {
        // Issue 12: the seed plus one line. The load balancer's namespace probes every node's port the whole time.
        resetToBeforeTheDeploy();
        LoadBalancer lb = lab.loadBalancer();
        List<String> targets = lab.targets();
        String seed = Files.readString(FEATURE);
        String discover = "    And I want to pre-discover how many hosts to update\n";
        assertTrue(seed.contains(discover), seed);
        Path rolling = Files.writeString(work.resolve("rolling-lab.feature"),
                seed.replace(discover, discover + "    And I update hosts in batches of 2\n"));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Map<String, String>> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        // What each sample saw, briefly: milliseconds since the start and the blocked nodes, for the failure messages.
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        long started = System.nanoTime();
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                Map<String, String> sample = lb.probe(Duration.ZERO);
                samples.add(sample);
                seen.add((System.nanoTime() - started) / 1_000_000 + " ms " + sample.entrySet().stream()
                        .filter(e -> !e.getValue().startsWith("connected")).map(e -> e.getKey() + "=" + e.getValue()).toList());
            }
        }, "LabIT load balancer sampler");
        FeatureRun run;
        DroverSession previous = DroverSession.install(DroverSession.of(RunnerConfig.fromEnvironment(), lab.client(), null));
        sampler.start();
        try {
            run = FeatureRun.of(rolling, REPORTS, "rolling");
        } finally {
            stop.set(true);
            sampler.join(60_000);
            DroverSession.install(previous);
        }
        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        int most = 0;
        for (Map<String, String> sample : samples) {
            most = Math.max(most, (int) sample.values().stream().filter(DROPPED::equals).count());
        }
        System.out.printf("LabIT rolling: %d load balancer samples, at most %d of %d targets blocked at once%n", samples.size(), most,
                targets.size());
        assertTrue(samples.size() >= 3, "the load balancer sampled the deploy: " + samples.size());
        assertTrue(most <= 2, "never more than one batch of 2 out of the load balancer: " + seen);
        // The window of a batch is its block to its unblock, over a second (the package update); samples take at most 0.4 s.
        assertEquals(2, most, "the sampler saw a whole batch of 2 out of the load balancer at once: " + seen);
        assertVersions(Map.of("dev1.de.example.com", NEW, "dev2.de.example.com", NEW, "dev3.de.example.com", NEW, FRENCH, OLD));
        assertEquals(lb.expect(targets, "connected mywebapp " + NEW, "connected mywebapp " + OLD), lb.probeUntilConnected(SERVICE_START),
                "every target serves " + NEW + " to the load balancer again");
    }

    @Test
    @Order(100)
    void aDryRunOfTheSeedOnRealHostsLeavesRulesetsPackageDatabasesAndServicesAsTheyWere() throws Exception {
        resetToBeforeTheDeploy();
        Map<String, String> before = hostState();
        FeatureRun run;
        try (io.drover.client.DroverClient dry = lab.dryRunClient()) {
            RunnerConfig config = new RunnerConfig(java.util.Optional.empty(), RunnerConfig.fromEnvironment().sandboxFleet(), dry.options(),
                    false);
            DroverSession previous = DroverSession.install(DroverSession.of(config, dry, null));
            try {
                run = FeatureRun.of(FEATURE, REPORTS, "dry-run");
            } finally {
                DroverSession.install(previous);
            }
        }
        FeatureRun dryRun = run;
        assertEquals(1, dryRun.passedScenarios(), () -> dryRun.failureMessage().orElse(""));
        for (FeatureRun.Step step : dryRun.steps()) {
            System.out.printf("LabIT dry-run %-60s %-7s %6d ms%n", step.text(), step.status(), step.duration().toMillis());
            step.attachments().forEach(text -> assertTrue(text.startsWith("DRY RUN (nothing was changed): "), text));
        }
        String update = String.join("\n", dryRun.steps().stream().filter(step -> step.text().equals(UPDATE)).findFirst().orElseThrow()
                .attachments());
        for (String target : lab.targets()) {
            assertTrue(update.contains("| " + target + " ") && update.contains("would update mywebapp " + OLD + " -> " + NEW), update);
        }
        assertEquals(before, hostState(), "every node's ruleset, package database and service is as before the dry run");
        assertEquals(lab.loadBalancer().expect(lab.targets(), "connected mywebapp " + OLD, "connected mywebapp " + OLD),
                lab.loadBalancer().probeUntilConnected(SERVICE_START), "no node left the load balancer, none was updated");
    }

    /**
     * Per node, what a deploy changes: {@code iptables-save} (without its dated comments and packet counters), the dpkg
     * status file's SHA-256, and mywebapp's unit state, main pid and invocation.
     */
    private static Map<String, String> hostState() throws Exception {
        Map<String, String> state = new TreeMap<>();
        for (LabNode node : lab.nodes().values()) {
            String rules = node.check("iptables-save").lines().filter(line -> !line.startsWith("#"))
                    .map(line -> line.replaceAll("\\[\\d+:\\d+\\]", "[-:-]")).reduce("", (a, b) -> a + b + "\n");
            state.put(node.identity(), rules + node.check("sha256sum", "/var/lib/dpkg/status")
                    + node.unit("mywebapp.service", "ActiveState", "MainPID", "InvocationID"));
        }
        return state;
    }

    /** mywebapp back to the old version and nothing blocked, through the agents. */
    private static void resetToBeforeTheDeploy() {
        TreeSet<String> targets = new TreeSet<>(lab.targets());
        CallResult unblock = lab.client().call(Call.of("firewall", "unblock").param("address", Lab.LOAD_BALANCER).to(targets));
        assertTrue(unblock.allOk(), unblock.toString());
        CallResult downgrade = lab.client().call(Call.of("package", "install").param("package", "mywebapp").param("version", OLD)
                .to(targets));
        assertTrue(downgrade.allOk(), downgrade.toString());
        assertEquals(lab.loadBalancer().expect(lab.targets(), "connected mywebapp " + OLD, "connected mywebapp " + OLD),
                lab.loadBalancer().probeUntilConnected(SERVICE_START));
    }

    /** One run of the seed feature, with what the load balancer saw right after the steps that check it. */
    private record Deploy(FeatureRun run, Map<String, Map<String, String>> probes) {
        FeatureRun.Step step(String text) {
            return run.steps().stream().filter(step -> step.text().equals(text)).findFirst()
                    .orElseThrow(() -> new AssertionError("no step " + text));
        }
    }

    private static Deploy deploy(String name) throws Exception {
        Map<String, Map<String, String>> probes = new LinkedHashMap<>();
        LoadBalancer lb = lab.loadBalancer();
        DroverSession previous = DroverSession.install(DroverSession.of(RunnerConfig.fromEnvironment(), lab.client(), null));
        AutoCloseable listening = StepProbes.install(step -> {
            if (step.equals(BLOCKED)) {
                probes.put(step, lb.probe(SERVICE_START));
            } else if (step.equals(UNBLOCKED)) {
                probes.put(step, lb.probeUntilConnected(SERVICE_START));
            }
        });
        try {
            FeatureRun run = FeatureRun.of(FEATURE, REPORTS, name, List.of(StepProbes.class.getName()));
            for (FeatureRun.Step step : run.steps()) {
                System.out.printf("LabIT %-7s %-60s %-7s %6d ms%n", name, step.text(), step.status(), step.duration().toMillis());
            }
            probes.forEach((step, answers) -> System.out.printf("LabIT %-7s load balancer after '%s': %s%n", name, step, answers));
            return new Deploy(run, probes);
        } finally {
            listening.close();
            DroverSession.install(previous);
        }
    }

    private static Map<String, String> expectedChanges(List<String> hosts, String changed) {
        Map<String, String> expected = new TreeMap<>();
        hosts.forEach(host -> expected.put(host, "OK changed=" + changed));
        return expected;
    }

    private static void assertVersions(Map<String, String> expected) throws Exception {
        Map<String, String> installed = new TreeMap<>();
        for (LabNode node : lab.nodes().values()) {
            installed.put(node.identity(), node.packageVersion("mywebapp"));
        }
        assertEquals(new TreeMap<>(expected), installed, "dpkg-query inside each container");
    }

    /** Each node's filter table, {@code iptables -S}: Drover's chain and its jump included, no counters. */
    private static Map<String, String> firewallRules() throws Exception {
        Map<String, String> rules = new TreeMap<>();
        for (LabNode node : lab.nodes().values()) {
            rules.put(node.identity(), node.check("iptables", "-w", "-S"));
        }
        return rules;
    }

    private static Map<String, Long> dpkgLogLines() throws IOException {
        Map<String, Long> lines = new TreeMap<>();
        for (LabNode node : lab.nodes().values()) {
            lines.put(node.identity(), node.dpkgLogLines());
        }
        return lines;
    }
}
