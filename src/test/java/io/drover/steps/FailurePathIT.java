package io.drover.steps;

import io.drover.agents.firewall.FirewallAgent;
import io.drover.agents.nrpe.NrpeAgent;
import io.drover.agents.nrpe.SandboxChecks;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.catalog.IpAddress;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.Sandbox;
import io.drover.testing.FeatureRun;
import io.drover.testing.SandboxSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner bails out: when one host's package update fails, the seed scenario fails at that step naming
 * the host, the unblock steps are skipped and the load balancer stays blocked; once the host is fixed, running
 * the same feature again converges and passes.
 */
class FailurePathIT {
    private static final Path FEATURE = Path.of("features/deploy.feature");
    private static final Path REPORTS = Path.of("target/failure-path");
    private static final List<String> UPDATED = List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com",
            "dev4.de.example.com");
    private static final String BROKEN = "dev3.de.example.com";
    private static final String DPKG_ERROR = "E: Sub-process /usr/bin/dpkg returned an error code (1)";

    private Sandbox sandbox;
    private DroverSession session;
    private SandboxSession running;

    @BeforeEach
    void startSandbox() throws Exception {
        running = SandboxSession.start();
        sandbox = running.sandbox();
        session = running.session();
    }

    @AfterEach
    void stopSandbox() {
        running.close();
    }

    private SandboxPackages packages(String identity) {
        return (SandboxPackages) sandbox.fleet().node(identity).plugin("package", PackageAgent.class).packages();
    }

    private boolean loadBalancerBlocked(String identity) throws Exception {
        return sandbox.fleet().node(identity).plugin("firewall", FirewallAgent.class).firewall()
                .isBlocked(IpAddress.parse("192.168.1.1"));
    }

    @Test
    void acceptingUnverifiedRepliesIsNamedInEveryStepSummary() throws Exception {
        FeatureRun verified = FeatureRun.of(FEATURE, REPORTS, "verified-summaries");
        assertTrue(verified.steps().stream().flatMap(step -> step.attachments().stream()).noneMatch(text -> text.contains("NOT verified")));
        RunnerConfig lab = new RunnerConfig(java.util.Optional.empty(), Path.of("sandbox/fleet.yaml"), session.client().options(), true);
        DroverSession.install(DroverSession.of(lab, session.client(), sandbox));
        try {
            FeatureRun run = FeatureRun.of(FEATURE, REPORTS, "unverified-summaries");
            assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
            List<String> summaries = run.steps().stream().flatMap(step -> step.attachments().stream()).toList();
            assertFalse(summaries.isEmpty());
            for (String summary : summaries) {
                assertTrue(summary.contains("WARNING: replies are NOT verified (drover.insecure.accept-unsigned-replies=true)"), summary);
            }
        } finally {
            DroverSession.install(session);
        }
    }

    @Test
    void aFailedUpdateStopsTheDeployAndARerunAfterTheFixConverges() throws Exception {
        EmulatedFleet fleet = sandbox.fleet();
        packages(BROKEN).breakPackage("mywebapp", DPKG_ERROR);

        FeatureRun failed = FeatureRun.of(FEATURE, REPORTS, "broken-host");

        assertEquals(1, failed.failedScenarios());
        assertEquals(List.of("When I update the package mywebapp"), failed.stepsWithStatus("failed"));
        assertEquals(List.of("Then the package version for mywebapp should be 4.2.6-3.el5", "When I unblock the load balancer",
                "Then traffic from the load balancer should be unblocked"), failed.stepsWithStatus("skipped"));
        String message = failed.failureMessage().orElseThrow();
        assertTrue(message.contains("update mywebapp failed on 1 of 4 hosts"), message);
        assertTrue(message.contains(BROKEN) && message.contains(DPKG_ERROR), message);
        assertTrue(message.contains("FAILED"), message);
        for (String host : UPDATED) {
            assertTrue(loadBalancerBlocked(host), "the load balancer stays blocked on " + host);
            assertTrue(!host.equals(BROKEN) || packages(host).status("mywebapp").version().equals("4.2.6-2.el5"));
        }
        assertTrue(!loadBalancerBlocked("web1.de.example.com"), "hosts outside the filter are untouched");

        packages(BROKEN).repair("mywebapp");
        FeatureRun rerun = FeatureRun.of(FEATURE, REPORTS, "after-fix");

        assertEquals(1, rerun.passedScenarios(), () -> rerun.failureMessage().orElse(""));
        assertTrue(rerun.stepsWithStatus("passed").size() == 10, rerun.stepStatuses().toString());
        for (String host : UPDATED) {
            assertEquals("4.2.6-3.el5", packages(host).status("mywebapp").version());
            assertTrue(!loadBalancerBlocked(host));
        }
        assertEquals("4.2.6-2.el5", packages("dev1.fr.example.com").status("mywebapp").version());
        assertEquals(12, fleet.size());
    }

    @Test
    void aHostThatHangsPastTheStepTimeoutIsNamed() throws Exception {
        for (String host : UPDATED) {
            SandboxChecks checks = (SandboxChecks) sandbox.fleet().node(host).plugin("nrpe", NrpeAgent.class).checks();
            checks.define("check_slow", 0, "OK - fine", host.equals("dev4.de.example.com") ? 4_000 : 0);
        }
        FeatureRun run = FeatureRun.of(Path.of("src/test/resources/io/drover/steps/failure/slow-check.feature"), REPORTS, "slow-check");
        assertEquals(1, run.failedScenarios());
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("failed on 1 of 4 hosts"), message);
        assertTrue(message.contains("dev4.de.example.com") && message.contains("NO REPLY") && message.contains("no reply within 1 s"),
                message);
        // The scenario ends by waiting a little for the hosts its step gave up on: dev4 answers at about 4 s.
        String late = String.join("\n", run.afterHookAttachments());
        assertTrue(late.contains("1 late reply") && late.contains("dev4.de.example.com")
                && late.contains("nrpe.run_command answered after the step gave up: OK at "), late);
    }

    @Test
    void aHostThatStopsAnsweringFailsTheStepByName() throws Exception {
        sandbox.fleet().stop("dev2.de.example.com");
        Path feature = Path.of("src/test/resources/io/drover/steps/failure/expect-four-hosts.feature");
        FeatureRun run = FeatureRun.of(feature, REPORTS, "stopped-host");
        assertEquals(1, run.failedScenarios());
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("dev2.de.example.com") && message.contains("did not answer discovery"), message);
    }

    @Test
    void theSeedFailsAtDiscoveryNamingTheHostWhenOneOfItsAgentsIsDead() throws Exception {
        // Killed, not stopped: no goodbye, the registry last heard of it when it started.
        sandbox.fleet().stop("dev4.de.example.com");
        FeatureRun run = FeatureRun.of(FEATURE, REPORTS, "dead-host");
        assertEquals(1, run.failedScenarios());
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("1 host(s) that must take part did not answer discovery"), message);
        assertTrue(message.contains("| dev4.de.example.com | matched when last seen ") && message.contains("and did not answer"),
                message);
        assertTrue(message.contains("Nothing was changed"), message);
        assertEquals(List.of("When I block the load balancer", "Then traffic from the load balancer should be blocked",
                "When I update the package mywebapp", "Then the package version for mywebapp should be 4.2.6-3.el5",
                "When I unblock the load balancer", "Then traffic from the load balancer should be unblocked"),
                run.stepsWithStatus("skipped"));
        for (String host : List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com")) {
            assertTrue(!loadBalancerBlocked(host), "nothing ran on " + host);
        }
    }
}
