package io.drover.agents.service;

import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.agents.service.ServiceProvider.ServiceChange;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import io.drover.testing.AgentHarness;
import io.drover.testing.FakeCommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemdServicesTest {
    private static final String SHOW = "systemctl show -p ActiveState,SubState,MainPID,LoadState ";
    private static final String RUNNING = "ActiveState=active\nSubState=running\nMainPID=4242\nLoadState=loaded\n";
    private static final String STOPPED = "LoadState=loaded\nActiveState=inactive\nSubState=dead\nMainPID=0\n";

    private final FakeCommandRunner runner = new FakeCommandRunner();
    private final SystemdServices services = new SystemdServices(runner);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"httpd, httpd.service", "httpd.service, httpd.service", "getty@tty1, getty@tty1.service",
            "getty@tty1.service, getty@tty1.service", "sshd.socket, sshd.socket", "apache2.2, apache2.2.service",
            "multi-user.target, multi-user.target"})
    void namesBecomeUnits(String service, String unit) throws Exception {
        assertEquals(unit, SystemdServices.unit(service));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-H", "--all", "a b", "../x", "x/y", "httpd; reboot", "$(id)", ".hidden", "a..b", ""})
    void theProviderRefusesNamesTheAgentWouldNeverPass(String service) {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.status(service));
        assertTrue(e.getMessage().startsWith("invalid service name"), e.getMessage());
        assertEquals(List.of(), runner.commands());
    }

    @Test
    void statusOfARunningUnit() throws Exception {
        runner.answer(SHOW + "httpd.service", 0, RUNNING);
        assertEquals(new ServiceStatus("httpd", true, 4242L), services.status("httpd"));
        assertEquals(List.of(SHOW + "httpd.service"), runner.commands());
        assertEquals(List.of("systemctl", "show", "-p", "ActiveState,SubState,MainPID,LoadState", "httpd.service"),
                runner.runs().get(0).args(), "one argument each, no shell");
    }

    @ParameterizedTest(name = "{0}/{1} pid {2} -> running {3}")
    @CsvSource({"active, running, 4242, true, 4242", "reloading, reload, 4242, true, 4242",
            "active, exited, 0, true, ", "inactive, dead, 0, false, ", "failed, failed, 0, false, ",
            "activating, auto-restart, 0, false, ", "deactivating, stop-sigterm, 4242, false, "})
    void statusFollowsActiveState(String active, String sub, long pid, boolean running, Long expectedPid) throws Exception {
        runner.answer(SHOW + "httpd.service", 0, "ActiveState=" + active + "\nSubState=" + sub + "\nMainPID=" + pid
                + "\nLoadState=loaded\n");
        ServiceStatus status = services.status("httpd");
        assertEquals(running, status.running());
        assertEquals(expectedPid, status.pid());
    }

    @Test
    void anUnknownUnitIsAClearFailure() {
        runner.answer(SHOW + "nosuchd.service", 0, "ActiveState=inactive\nSubState=dead\nMainPID=0\nLoadState=not-found\n");
        for (String action : List.of("status", "start", "stop", "restart")) {
            ActionFailedException e = assertThrows(ActionFailedException.class, () -> act(action, "nosuchd"));
            assertTrue(e.getMessage().startsWith("unit nosuchd.service not found; check the service name"), e.getMessage());
        }
        assertTrue(runner.commands().stream().allMatch(command -> command.startsWith(SHOW)), "nothing but show ran");
    }

    @Test
    void aUnitWhoseFileWasRemovedWhileRunningIsStillRunning() throws Exception {
        runner.answer(SHOW + "old.service", 0, "ActiveState=active\nSubState=running\nMainPID=77\nLoadState=not-found\n");
        assertEquals(new ServiceStatus("old", true, 77L), services.status("old"));
    }

    @Test
    void startRunsOnlyWhenStopped() throws Exception {
        runner.answer(SHOW + "httpd.service", 0, STOPPED).answer(SHOW + "httpd.service", 0, RUNNING)
                .answer("systemctl start httpd.service", 0, "");
        ServiceChange started = services.start("httpd");
        assertTrue(started.changed());
        assertFalse(started.before().running());
        assertEquals(new ServiceStatus("httpd", true, 4242L), started.after());
        assertEquals(List.of(SHOW + "httpd.service", "systemctl start httpd.service", SHOW + "httpd.service"), runner.commands());

        ServiceChange again = services.start("httpd");
        assertFalse(again.changed());
        assertEquals(4242L, again.after().pid());
        assertEquals(4, runner.commands().size(), "an idempotent start only looks");
    }

    @Test
    void stopRunsOnlyWhenNotStopped() throws Exception {
        runner.answer(SHOW + "getty@tty1.service", 0, RUNNING).answer(SHOW + "getty@tty1.service", 0, STOPPED)
                .answer("systemctl stop getty@tty1.service", 0, "");
        ServiceChange stopped = services.stop("getty@tty1");
        assertTrue(stopped.changed());
        assertEquals(new ServiceStatus("getty@tty1", false, null), stopped.after());
        ServiceChange again = services.stop("getty@tty1.service");
        assertFalse(again.changed());
        assertEquals(List.of(SHOW + "getty@tty1.service", "systemctl stop getty@tty1.service", SHOW + "getty@tty1.service",
                SHOW + "getty@tty1.service"), runner.commands());
    }

    @Test
    void stopEndsARestartLoop() throws Exception {
        runner.answer(SHOW + "flappy.service", 0, "ActiveState=activating\nSubState=auto-restart\nMainPID=0\nLoadState=loaded\n")
                .answer(SHOW + "flappy.service", 0, STOPPED).answer("systemctl stop flappy.service", 0, "");
        assertTrue(services.stop("flappy").changed());
        assertTrue(runner.commands().contains("systemctl stop flappy.service"));
    }

    @Test
    void restartAlwaysRuns() throws Exception {
        runner.answer(SHOW + "httpd.service", 0, RUNNING)
                .answer(SHOW + "httpd.service", 0, RUNNING.replace("4242", "4243"))
                .answer("systemctl restart httpd.service", 0, "");
        ServiceChange restarted = services.restart("httpd");
        assertTrue(restarted.changed());
        assertEquals(4242L, restarted.before().pid());
        assertEquals(4243L, restarted.after().pid());
        assertEquals(List.of(SHOW + "httpd.service", "systemctl restart httpd.service", SHOW + "httpd.service"), runner.commands());
    }

    @Test
    void aFailingStartSaysWhatSystemctlSaid() {
        runner.answer(SHOW + "postfix.service", 0, STOPPED).answer("systemctl start postfix.service", 1, "",
                "Job for postfix.service failed because the control process exited with error code.\n"
                        + "See \"systemctl status postfix.service\" and \"journalctl -xeu postfix.service\" for details.\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.start("postfix"));
        assertTrue(e.getMessage().startsWith("`systemctl start postfix.service` exited 1: Job for postfix.service failed"),
                e.getMessage());
        assertEquals(1, e.data().get("exitcode"));
    }

    @Test
    void aStartThatLeavesTheUnitDownFails() {
        runner.answer(SHOW + "crashy.service", 0, STOPPED)
                .answer(SHOW + "crashy.service", 0, "ActiveState=failed\nSubState=failed\nMainPID=0\nLoadState=loaded\n")
                .answer("systemctl start crashy.service", 0, "");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.start("crashy"));
        assertEquals("`systemctl start crashy.service` succeeded but the unit is failed (failed); see "
                + "`journalctl -u crashy.service`", e.getMessage());
    }

    @Test
    void unreadableShowOutputIsAFailureNotAState() {
        runner.answer(SHOW + "httpd.service", 0, "Failed to connect to bus: No such file or directory\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.status("httpd"));
        assertTrue(e.getMessage().startsWith("cannot read the state of httpd.service from `systemctl show`"), e.getMessage());
    }

    @Test
    void detectionWithoutAPrefixLooksInProcess(@TempDir Path dir) {
        assertTrue(HostProbe.isDirectory(runner, dir.toString()));
        assertFalse(HostProbe.isDirectory(runner, dir.resolve("missing").toString()));
        assertEquals(List.of(), runner.commands(), "no process for a local look");
    }

    @Test
    void detectionWithAPrefixLooksThroughIt() {
        FakeCommandRunner container = new FakeCommandRunner(List.of("nsenter", "-t", "4711", "-a"))
                .answer("test -d /run/systemd/system", 0, "").answer("test -d /etc/init.d", 1, "");
        assertTrue(HostProbe.isDirectory(container, SystemdServices.BOOTED_MARKER));
        assertFalse(HostProbe.isDirectory(container, "/etc/init.d"));
        assertEquals(List.of("test -d /run/systemd/system", "test -d /etc/init.d"), container.commands());
    }

    @Test
    void aPrefixThatDoesNotWorkIsAConfigErrorNotAnotherProvider() {
        FakeCommandRunner broken = new FakeCommandRunner(List.of("nsenter", "-t", "4711", "-a"))
                .answer("test -d /run/systemd/system", 1, "", "nsenter: cannot open /proc/4711/ns/ipc: No such file or directory\n");
        ConfigException e = assertThrows(ConfigException.class, () -> HostProbe.isDirectory(broken, SystemdServices.BOOTED_MARKER));
        assertTrue(e.getMessage().startsWith("cannot look for /run/systemd/system through command_prefix [nsenter, -t, 4711, -a]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory; fix command_prefix or set provider explicitly"), e.getMessage());
    }

    @Test
    void theAgentUsesItWhenNamed() {
        ServiceAgent agent = (ServiceAgent) new ServiceAgent.Factory().create(new Settings("agents.service",
                Map.of("provider", "systemd", "command_timeout", 30)), null);
        assertEquals("systemd", agent.provider());
        ConfigException e = assertThrows(ConfigException.class, () -> new ServiceAgent.Factory().create(
                new Settings("agents.service", Map.of("provider", "systemd", "command_timeout", 0)), null));
        assertEquals("agents.service.command_timeout: must be 1 to 86400 seconds", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"httpd; reboot", "$(id)", "`id`", "-H", "--help", "a b", "../x", "x/../../etc/passwd",
            "httpd\nreboot", "httpd|cat", "a&&b", ">x"})
    void hostileNamesAreRefusedBeforeAnythingRuns(String service) {
        AgentHarness agent = new AgentHarness(Map.of("service", Map.of("provider", "systemd")));
        long started = ProcessCommandRunner.startedProcesses();
        for (String action : List.of("start", "stop", "restart", "status")) {
            Reply reply = agent.call("service", action, Map.of("service", service));
            assertEquals(Status.INVALID_DATA, reply.status(), reply.message());
            assertTrue(reply.message().startsWith("Input 'service' of service." + action), reply.message());
        }
        assertEquals(started, ProcessCommandRunner.startedProcesses(), "no process was started");
    }

    private void act(String action, String service) throws ActionFailedException {
        switch (action) {
            case "status" -> services.status(service);
            case "start" -> services.start(service);
            case "stop" -> services.stop(service);
            default -> services.restart(service);
        }
    }

    @Test
    void notRunningHasNoPid() throws Exception {
        runner.answer(SHOW + "httpd.service", 0, STOPPED);
        assertNull(services.status("httpd").pid());
    }
}
