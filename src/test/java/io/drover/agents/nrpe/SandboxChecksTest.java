package io.drover.agents.nrpe;

import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.CheckState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A settling check reports CRITICAL for its first N runs, then its canned result: what a health gate waits for. */
class SandboxChecksTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void aSettlingCheckPassesOnTheRunAfterItsSettleRuns() {
        SandboxChecks checks = new SandboxChecks(new Settings("agents.nrpe", Map.of("commands", Map.of(
                "check_web", Map.of("exit", 0, "output", "HTTP OK", "settle_runs", 2)))));
        CheckResult first = checks.run("check_web", TIMEOUT);
        assertEquals(CheckState.CRITICAL, first.state());
        assertTrue(first.output().contains("run 1 of 2"), first.output());
        assertEquals(CheckState.CRITICAL, checks.run("check_web", TIMEOUT).state());
        assertEquals(CheckState.OK, checks.run("check_web", TIMEOUT).state());
        assertEquals(CheckState.OK, checks.run("check_web", TIMEOUT).state());
    }

    @Test
    void defineSettlingStartsCountingAgain() {
        SandboxChecks checks = new SandboxChecks(new Settings("agents.nrpe", Map.of("commands", Map.of())));
        checks.defineSettling("check_app", 1, 0, "OK - ready");
        assertEquals(CheckState.CRITICAL, checks.run("check_app", TIMEOUT).state());
        assertEquals("OK - ready", checks.run("check_app", TIMEOUT).output());
        checks.defineSettling("check_app", 1, 0, "OK - ready");
        assertEquals(CheckState.CRITICAL, checks.run("check_app", TIMEOUT).state());
    }

    @Test
    void aNegativeSettleCountIsRefusedByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> new SandboxChecks(new Settings("agents.nrpe", Map.of("commands",
                Map.of("check_web", Map.of("settle_runs", -1))))));
        assertTrue(e.getMessage().contains("settle_runs"), e.getMessage());
    }
}
