package io.drover.steps;

import io.drover.agents.firewall.FirewallAgent;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.agents.service.ServiceAgent;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.sandbox.Sandbox;
import io.drover.testing.FeatureRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed with {@code -Ddrover.dry-run=true} on the sandbox: every step passes on predictions, every summary says
 * DRY RUN, and no sandbox provider's state changes; then the real run does what the dry run predicted.
 */
class DryRunIT {
    private static final Path SEED = Path.of("features/deploy.feature");
    private static final Path ROLLING = Path.of("features/rolling.feature");
    private static final Path REPORTS = Path.of("target/dry-run");
    private static final List<String> DEV = List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com",
            "dev4.de.example.com");

    private Sandbox sandbox;
    private DroverSession real;
    private DroverSession dry;
    private DroverSession previous;

    @BeforeEach
    void startSandbox() throws Exception {
        sandbox = Sandbox.start(Path.of("sandbox/fleet.yaml"));
        RunnerConfig config = RunnerConfig.fromEnvironment();
        real = DroverSession.of(config, DroverClient.connect(sandbox.broker(), ClientOptions.defaults()), sandbox);
        ClientOptions dryOptions = ClientOptions.defaults().withDryRun(true);
        dry = DroverSession.of(new RunnerConfig(Optional.empty(), config.sandboxFleet(), dryOptions, false),
                DroverClient.connect(sandbox.broker(), dryOptions), sandbox);
        previous = DroverSession.install(dry);
    }

    @AfterEach
    void stopSandbox() {
        DroverSession.install(previous);
        dry.client().close();
        real.close();
    }

    /** Every node's firewall, package and service state, as the sandbox providers hold it. */
    private Map<String, String> state() throws Exception {
        Map<String, String> state = new TreeMap<>();
        for (String host : sandbox.fleet().identities()) {
            var node = sandbox.fleet().node(host);
            StringBuilder text = new StringBuilder();
            text.append("blocked=").append(node.plugin("firewall", FirewallAgent.class).firewall().listBlocked());
            for (String pkg : List.of("mywebapp", "httpd")) {
                text.append(' ').append(((SandboxPackages) node.plugin("package", PackageAgent.class).packages()).status(pkg));
            }
            for (String service : List.of("httpd", "mywebapp", "sshd")) {
                text.append(' ').append(node.plugin("service", ServiceAgent.class).services().status(service));
            }
            state.put(host, text.toString());
        }
        return state;
    }

    private static List<String> attachments(FeatureRun run) {
        List<String> all = new ArrayList<>();
        run.steps().forEach(step -> all.addAll(step.attachments()));
        return all;
    }

    @Test
    void aDryRunOfTheSeedChangesNothingSaysSoEverywhereAndPredictsTheRealRun() throws Exception {
        Map<String, String> before = state();
        Files.deleteIfExists(Path.of(RerunFile.PATH));

        FeatureRun run = FeatureRun.of(SEED, REPORTS, "seed-dry-run");

        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        assertEquals(before, state(), "a dry run changes nothing in the sandbox providers");
        List<String> summaries = attachments(run);
        assertEquals(6, summaries.size(), summaries.toString());
        for (String summary : summaries) {
            assertTrue(summary.startsWith("DRY RUN (nothing was changed): "), summary);
        }
        String update = summaries.get(2);
        assertTrue(update.contains("update mywebapp (package.update): 4 of 4 hosts OK, 4 would change"), update);
        assertTrue(update.contains("would update mywebapp 4.2.6-2.el5 -> 4.2.6-3.el5"), update);
        String version = summaries.get(3);
        assertTrue(version.contains("as predicted by 'update mywebapp' (the predicted hosts were not asked)"), version);
        assertTrue(summaries.get(1).contains("predicted by 'block 192.168.1.1': would block 192.168.1.1"), summaries.get(1));
        // Simulated against the current state, the unblock would change nothing; the summary says why that is not the whole story.
        assertTrue(summaries.get(4).contains("0 would change (judged against the hosts' current state, not the state "
                + "'block 192.168.1.1' predicted"), summaries.get(4));
        assertTrue(summaries.get(5).contains("as predicted by 'unblock 192.168.1.1'"), summaries.get(5));
        // The fleet report shows every host's answers as a dry run's, and says the run was one.
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of("target", io.drover.report.RunReport.JSON_FILE).toFile());
        assertTrue(report.get("run").get("dry_run").asBoolean());
        assertEquals(4, report.get("counts").get("dry_run").asInt(), report.get("counts").toString());
        assertEquals(0, report.get("counts").get("changed").asInt(), report.get("counts").toString());
        assertTrue(report.get("scenarios").get(0).get("rerun").isNull(), "a dry run leaves the rerun file, and so the command, alone");
        assertFalse(Files.exists(Path.of(RerunFile.PATH)), "a dry run leaves the rerun file alone");

        // The real run does what the dry run predicted.
        DroverSession.install(real);
        FeatureRun realRun = FeatureRun.of(SEED, REPORTS, "seed-after-dry-run");
        assertEquals(1, realRun.passedScenarios(), () -> realRun.failureMessage().orElse(""));
        for (String host : DEV) {
            assertEquals("4.2.6-3.el5", ((SandboxPackages) sandbox.fleet().node(host).plugin("package", PackageAgent.class).packages())
                    .status("mywebapp").version());
        }
        assertTrue(attachments(realRun).stream().noneMatch(text -> text.contains("DRY RUN")));

        // Dry again: nothing would change now, and the Then steps still pass on the prediction.
        DroverSession.install(dry);
        Map<String, String> converged = state();
        FeatureRun again = FeatureRun.of(SEED, REPORTS, "seed-dry-run-converged");
        assertEquals(1, again.passedScenarios(), () -> again.failureMessage().orElse(""));
        assertEquals(converged, state());
        assertTrue(attachments(again).get(2).contains("4 of 4 hosts OK, 0 would change"), attachments(again).get(2));
    }

    @Test
    void aDryRunOfTheRollingFeatureWithARestartAndHealthGatesChangesNothing() throws Exception {
        Map<String, String> before = state();
        FeatureRun run = FeatureRun.of(ROLLING, REPORTS, "rolling-dry-run");
        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        assertEquals(before, state());
        String all = String.join("\n", attachments(run));
        assertTrue(all.contains("would restart mywebapp"), all);
        assertTrue(attachments(run).stream().allMatch(text -> text.startsWith("DRY RUN")), all);
        assertTrue(String.join("\n", run.afterHookAttachments()).contains("DRY RUN (nothing was changed; 'changed' means 'would change'): Recap"),
                run.afterHookAttachments().toString());
    }

    @Test
    void aHostWhoseUpdateWouldFailFailsTheDryRunByNameAndNothingChanges() throws Exception {
        ((io.drover.agents.pkg.SandboxPackages) sandbox.fleet().node("dev3.de.example.com").plugin("package", PackageAgent.class)
                .packages()).breakPackage("mywebapp", "E: Sub-process /usr/bin/dpkg returned an error code (1)");
        Map<String, String> before = state();
        FeatureRun run = FeatureRun.of(SEED, REPORTS, "seed-dry-run-failing");
        assertEquals(1, run.failedScenarios());
        assertEquals(List.of("When I update the package mywebapp"), run.stepsWithStatus("failed"));
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("dev3.de.example.com") && message.contains("would fail: E: Sub-process /usr/bin/dpkg"), message);
        assertEquals(before, state(), "the load balancer was never blocked, nothing was updated");
    }
}
