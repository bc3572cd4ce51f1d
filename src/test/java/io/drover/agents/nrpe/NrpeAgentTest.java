package io.drover.agents.nrpe;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.ConfigException;
import io.drover.catalog.InvalidInputException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.CheckState;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NrpeAgentTest {
    private static final String LOAD = "OK - load average: 0.21, 0.18, 0.12|load1=0.210;15.000;30.000;0;";

    private final SandboxChecks checks = new SandboxChecks(new Settings("agents.nrpe", Map.of("commands", Map.of(
            "check_load", Map.of("exit", 0, "output", LOAD),
            "check_disk", Map.of("exit", 1, "output", "DISK WARNING - free space: / 3000 MB (8%)|/=30000MB;31000;32000;0;33000"),
            "check_slow", Map.of("exit", 0, "output", "SLOW OK", "delay_ms", 5000)))));
    private final NrpeAgent agent = new NrpeAgent(checks, Duration.ofMillis(200));

    private ActionResult run(String command) throws Exception {
        Action action = agent.action("run_command");
        return action.handler().run(action.validate(agent.name(), Map.of("command", command)));
    }

    @Test
    void describesItself() {
        assertEquals("nrpe", agent.name());
        assertEquals("sandbox", agent.provider());
        assertFalse(agent.serialized(), "checks are read-only and may run in parallel");
        assertEquals(Set.of("check_load", "check_disk", "check_slow"), agent.checks().commands());
    }

    @Test
    void okCheckIsAnOkResultWithData() throws Exception {
        ActionResult result = run("check_load");
        assertEquals("OK: OK - load average: 0.21, 0.18, 0.12", result.message());
        assertEquals(Map.of("command", "check_load", "exitcode", 0, "state", "OK",
                "output", "OK - load average: 0.21, 0.18, 0.12", "perfdata", "load1=0.210;15.000;30.000;0;"), result.data());
    }

    @Test
    void warningIsAFailureCarryingTheData() {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run("check_disk"));
        assertEquals("WARNING: DISK WARNING - free space: / 3000 MB (8%)", e.getMessage());
        assertEquals(1, e.data().get("exitcode"));
        assertEquals("WARNING", e.data().get("state"));
        assertEquals("/=30000MB;31000;32000;0;33000", e.data().get("perfdata"));
    }

    @ParameterizedTest(name = "exit {0} -> {1}")
    @CsvSource({"1, WARNING", "2, CRITICAL", "3, UNKNOWN", "4, UNKNOWN"})
    void everyStateButOkIsAFailure(int exit, String state) {
        checks.define("check_load", exit, state + " - something|x=1", 0);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run("check_load"));
        assertEquals(state + ": " + state + " - something", e.getMessage());
        assertEquals(Map.of("command", "check_load", "exitcode", exit, "state", state,
                "output", state + " - something", "perfdata", "x=1"), e.data());
    }

    @Test
    void undefinedCommandIsRefusedByValidationListingDefinedOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> agent.action("run_command").validate("nrpe", Map.of("command", "check_users")));
        assertEquals(Status.INVALID_DATA, e.status());
        assertEquals("Input 'command' of nrpe.run_command 'check_users' is not valid: no check of that name is defined on"
                + " this node (defined: check_disk, check_load, check_slow)", e.getMessage());
    }

    @Test
    void checkRunningPastTheTimeoutIsUnknownAfterAboutTheTimeout() {
        long started = System.nanoTime();
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run("check_slow"));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals("UNKNOWN", e.data().get("state"));
        assertEquals(3, e.data().get("exitcode"));
        assertTrue(e.getMessage().startsWith("UNKNOWN: UNKNOWN: check timed out"), e.getMessage());
        assertTrue(elapsedMs >= 190 && elapsedMs < 2000, "took " + elapsedMs + " ms with a 200 ms timeout");
    }

    @Test
    void checkFinishingWithinTheTimeoutReturnsItsResult() throws Exception {
        SandboxChecks quick = new SandboxChecks(new Settings("agents.nrpe", Map.of("commands",
                Map.of("check_quick", Map.of("output", "QUICK OK", "delay_ms", 50)))));
        CheckResult result = quick.run("check_quick", Duration.ofSeconds(1));
        assertEquals(CheckState.OK, result.state());
        assertEquals("QUICK OK", result.output());
    }

    @Test
    void sandboxCheckDefaults() {
        SandboxChecks defaults = new SandboxChecks(new Settings("agents.nrpe", Map.of("commands", Map.of("check_any", Map.of()))));
        assertEquals(new CheckResult("check_any", 0, "OK", ""), defaults.run("check_any", Duration.ofSeconds(1)));
    }

    @Test
    void sandboxCheckSettingsAreStrict() {
        ConfigException e = assertThrows(ConfigException.class, () -> new SandboxChecks(new Settings("agents.nrpe",
                Map.of("commands", Map.of("check_load", Map.of("exit", 0, "outptu", "OK"))))));
        assertTrue(e.getMessage().contains("[outptu]"), e.getMessage());
    }

    @Test
    void factoryChecksTheTimeout() {
        NrpeAgent.Factory factory = new NrpeAgent.Factory();
        for (int timeout : new int[]{0, 3601}) {
            ConfigException e = assertThrows(ConfigException.class, () -> factory.create(
                    new Settings("agents.nrpe", Map.of("provider", "sandbox", "timeout", timeout)), null));
            assertEquals("agents.nrpe.timeout: must be 1 to 3600 seconds", e.getMessage());
        }
        AgentPlugin plugin = factory.create(new Settings("agents.nrpe", Map.of("provider", "sandbox", "timeout", 5,
                "commands", Map.of("check_load", Map.of()))), null);
        assertEquals(List.of("run_command"), plugin.actions().stream().map(Action::name).toList());
        assertTrue(assertThrows(ConfigException.class, () -> factory.create(
                new Settings("agents.nrpe", Map.of("provider", "icinga")), null)).getMessage()
                .startsWith("Unknown nrpe provider 'icinga' in agents.nrpe; available providers: sandbox, nrpe (or auto)"));
    }
}
