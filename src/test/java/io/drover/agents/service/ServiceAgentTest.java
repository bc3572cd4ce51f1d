package io.drover.agents.service;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceAgentTest {
    private final SandboxServices services = new SandboxServices(new Settings("agents.service", Map.of(
            "services", Map.of("httpd", "running", "sshd", "stopped", "getty@tty1", "stopped", "postfix", "stopped"),
            "failing", Map.of("postfix", "Job for postfix.service failed because the control process exited with error code."))));
    private final ServiceAgent agent = new ServiceAgent(services);

    private ActionResult run(String actionName, String service) throws Exception {
        Action action = agent.action(actionName);
        return action.handler().run(action.validate(agent.name(), Map.of("service", service)));
    }

    private long pid(String service) throws ActionFailedException {
        Long pid = services.status(service).pid();
        assertNotNull(pid, service + " is running");
        return pid;
    }

    @Test
    void describesItself() {
        assertEquals("service", agent.name());
        assertEquals("sandbox", agent.provider());
        assertEquals(List.of("start", "stop", "restart", "status"), agent.actions().stream().map(Action::name).toList());
    }

    @Test
    void startIsIdempotent() throws Exception {
        ActionResult started = run("start", "sshd");
        assertEquals(true, started.data().get("changed"));
        assertEquals("running", started.data().get("status"));
        assertEquals(true, started.data().get("running"));
        assertEquals(pid("sshd"), started.data().get("pid"));
        assertEquals("started sshd", started.message());

        ActionResult again = run("start", "sshd");
        assertEquals(false, again.data().get("changed"));
        assertEquals(started.data().get("pid"), again.data().get("pid"), "an idempotent start keeps the process");
        assertEquals("sshd was already running", again.message());
    }

    @Test
    void startOfATemplatedUnit() throws Exception {
        assertEquals(true, run("start", "getty@tty1").data().get("changed"));
        assertTrue(services.status("getty@tty1").running());
    }

    @Test
    void stopIsIdempotent() throws Exception {
        ActionResult stopped = run("stop", "httpd");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("changed", true);
        expected.put("service", "httpd");
        expected.put("status", "stopped");
        expected.put("running", false);
        expected.put("pid", null);
        assertEquals(expected, stopped.data());
        assertEquals("stopped httpd", stopped.message());

        ActionResult again = run("stop", "httpd");
        assertEquals(false, again.data().get("changed"));
        assertEquals("httpd was already stopped", again.message());
        assertFalse(services.status("httpd").running());
    }

    @Test
    void restartAlwaysChangesAndGivesANewPid() throws Exception {
        long before = pid("httpd");
        ActionResult first = run("restart", "httpd");
        assertEquals(true, first.data().get("changed"));
        long after = pid("httpd");
        assertNotEquals(before, after);
        assertEquals(after, first.data().get("pid"));
        assertEquals("restarted httpd", first.message());

        ActionResult second = run("restart", "httpd");
        assertEquals(true, second.data().get("changed"));
        assertNotEquals(after, pid("httpd"));
    }

    @Test
    void restartStartsAStoppedService() throws Exception {
        ActionResult result = run("restart", "sshd");
        assertEquals(true, result.data().get("changed"));
        assertEquals("running", result.data().get("status"));
        assertTrue(services.status("sshd").running());
    }

    @Test
    void status() throws Exception {
        ActionResult running = run("status", "httpd");
        assertEquals("running", running.data().get("status"));
        assertEquals(true, running.data().get("running"));
        assertEquals(pid("httpd"), running.data().get("pid"));
        assertEquals("httpd is running", running.message());
        assertFalse(running.data().containsKey("changed"));

        ActionResult stopped = run("status", "sshd");
        assertEquals("stopped", stopped.data().get("status"));
        assertNull(stopped.data().get("pid"));
        assertEquals("sshd is stopped", stopped.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"start", "stop", "restart", "status"})
    void unknownUnitFails(String action) {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run(action, "nosuchd"));
        assertEquals("Unit nosuchd.service could not be found.", e.getMessage());
    }

    @Test
    void failingServiceCannotStart() throws Exception {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run("start", "postfix"));
        assertEquals("Job for postfix.service failed because the control process exited with error code.", e.getMessage());
        assertFalse(services.status("postfix").running());
        assertEquals(false, run("stop", "postfix").data().get("changed"), "stopping a broken, stopped service is no change");
    }

    @Test
    void breakServiceAndRepair() throws Exception {
        services.breakService("httpd", "httpd: Syntax error on line 42");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run("restart", "httpd"));
        assertEquals("httpd: Syntax error on line 42", e.getMessage());
        assertFalse(services.status("httpd").running(), "a failed restart leaves the service down, as systemd would");

        services.repair("httpd");
        assertEquals(true, run("start", "httpd").data().get("changed"));
        assertTrue(services.status("httpd").running());
    }

    @Test
    void invalidServiceStateInSettings() {
        ConfigException e = assertThrows(ConfigException.class, () -> new SandboxServices(
                new Settings("agents.service", Map.of("services", Map.of("httpd", "started")))));
        assertEquals("agents.service.services: httpd: state must be running or stopped, got started", e.getMessage());
    }

    @Test
    void factoryRefusesUnknownProviders() {
        ServiceAgent.Factory factory = new ServiceAgent.Factory();
        assertEquals("service", factory.name());
        assertTrue(assertThrows(ConfigException.class,
                () -> factory.create(new Settings("agents.service", Map.of("provider", "upstart")), null))
                .getMessage().startsWith("Unknown service provider 'upstart' in agents.service; available providers: sandbox,"
                        + " systemd, sysv (or auto)"));
    }

    private ActionResult dryRun(String actionName, String service) throws Exception {
        Action action = agent.action(actionName);
        return action.dryRunHandler().run(action.validate(agent.name(), Map.of("service", service)));
    }

    @Test
    void aDryRunPredictsWhatTheRealRunThenDoesAndChangesNothing() throws Exception {
        long httpd = pid("httpd");
        ActionResult restart = dryRun("restart", "httpd");
        assertEquals("would restart httpd", restart.message());
        assertEquals(true, restart.data().get("changed"));
        assertEquals("running", restart.data().get("status"));
        assertNull(restart.data().get("pid"), "the new pid cannot be known beforehand");
        assertEquals(httpd, pid("httpd"), "not restarted");

        ActionResult start = dryRun("start", "sshd");
        assertEquals("would start sshd", start.message());
        assertFalse(services.status("sshd").running());
        ActionResult started = run("start", "sshd");
        assertEquals(start.data().get("changed"), started.data().get("changed"));
        assertEquals(start.data().get("status"), started.data().get("status"));
        assertEquals("sshd is already running, nothing to do", dryRun("start", "sshd").message());

        ActionResult stop = dryRun("stop", "httpd");
        assertEquals("would stop httpd", stop.message());
        assertEquals(stop.data(), run("stop", "httpd").data());
        assertEquals(false, dryRun("stop", "httpd").data().get("changed"));
    }

    @Test
    void aDryRunSaysWhenTheActionWouldFail() {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> dryRun("start", "postfix"));
        assertTrue(e.getMessage().startsWith("would fail: Job for postfix.service failed"), e.getMessage());
        assertThrows(ActionFailedException.class, () -> dryRun("restart", "nosuch"));
    }
}
