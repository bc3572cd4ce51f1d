package io.drover.steps;

import io.drover.lock.DeployLocks;
import io.drover.lock.HostLock;
import io.drover.lock.LockHolder;
import io.drover.runner.DroverSession;
import io.drover.sandbox.Sandbox;
import io.drover.testing.FeatureRun;
import io.drover.testing.SandboxSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deploy lock seen from a feature on the sandbox: a host held by another run fails discovery after the
 * feature's wait, naming the holder, and nothing is sent; once it is free the same feature passes; the wait step
 * after discovery is refused saying where it belongs.
 */
class LockStepsIT {
    private static final Path FEATURES = Path.of("src/test/resources/io/drover/steps/lock");
    private static final Path REPORTS = Path.of("target/lock-steps");

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

    @Test
    void aHostHeldByAnotherRunFailsDiscoveryAfterTheWaitNamingItThenPassesOnceFree() throws Exception {
        DeployLocks locks = new DeployLocks(sandbox.broker(), session.client().options().collective());
        FeatureRun run;
        try (HostLock other = locks.acquire(new TreeSet<>(List.of("dev3.de.example.com", "web1.de.example.com")),
                LockHolder.ofThisRunner("carol", "features/other.feature:7 (Another deploy)"), Duration.ZERO)) {
            run = FeatureRun.of(FEATURES.resolve("held.feature"), REPORTS, "held");
            assertTrue(other.isHeld());
        }
        assertEquals(1, run.failedScenarios());
        assertEquals(List.of("And I want to pre-discover how many hosts to update"), run.stepsWithStatus("failed"));
        assertEquals(List.of("Then the nrpe check check_load should pass"), run.stepsWithStatus("skipped"));
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.startsWith("Another deploy holds dev3.de.example.com (one of the 4 hosts discovered): caller carol, "
                + "feature features/other.feature:7 (Another deploy), runner "), message);
        assertTrue(message.contains("; waited ") && message.contains("Nothing was changed."), message);

        FeatureRun free = FeatureRun.of(FEATURES.resolve("held.feature"), REPORTS, "free");
        assertEquals(1, free.passedScenarios(), () -> free.failureMessage().orElse(""));
    }

    @Test
    void theWaitMustComeBeforeDiscovery() throws Exception {
        FeatureRun run = FeatureRun.of(FEATURES.resolve("wait-after-discovery.feature"), REPORTS, "wait-after-discovery");
        assertEquals(List.of("And I wait up to 5 minutes for other deploys to finish"), run.stepsWithStatus("failed"));
        String message = run.failureMessage().orElseThrow();
        assertTrue(message.contains("must come before the hosts are discovered; move it above 'I want to pre-discover how many hosts to update'"),
                message);
    }
}
