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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysvServicesTest {
    private static final List<String> CONTAINER = List.of("nsenter", "-t", "4711", "-a");

    // Behind a prefix the provider cannot look at the scripts itself, so these tests need no files.
    private final FakeCommandRunner runner = new FakeCommandRunner(CONTAINER);
    private final SysvServices services = new SysvServices(runner, "/etc/init.d", Map.of("mywebapp", "/run/mywebapp/app.pid"));

    @TempDir
    Path initDir;

    @BeforeEach
    void script() throws Exception {
        Files.writeString(initDir.resolve("httpd"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(initDir.resolve("httpd"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(initDir.resolve("notexec"), "#!/bin/sh\nexit 0\n");
    }

    @Test
    void statusRunningReadsThePidFile() throws Exception {
        runner.answer("/etc/init.d/httpd status", 0, "httpd is running.\n").answer("cat /run/httpd.pid", 0, "4242\n");
        assertEquals(new ServiceStatus("httpd", true, 4242L), services.status("httpd"));
        assertEquals(List.of("/etc/init.d/httpd status", "cat /run/httpd.pid"), runner.commands());
        assertEquals(List.of("/etc/init.d/httpd", "status"), runner.runs().get(0).args());
    }

    @Test
    void aConfiguredPidFileWins() throws Exception {
        runner.answer("/etc/init.d/mywebapp status", 0, "").answer("cat /run/mywebapp/app.pid", 0, "99\n");
        assertEquals(99L, services.status("mywebapp").pid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a pid\n", "0\n", "-1\n", "12 34\n"})
    void runningWithoutAUsablePidFileHasNoPid(String content) throws Exception {
        runner.answer("/etc/init.d/httpd status", 0, "").answer("cat /run/httpd.pid", content.isEmpty() ? 1 : 0, content);
        ServiceStatus status = services.status("httpd");
        assertTrue(status.running());
        assertNull(status.pid());
    }

    @ParameterizedTest(name = "LSB status {0} is stopped")
    @ValueSource(ints = {1, 2, 3})
    void lsbNotRunningCodes(int exit) throws Exception {
        runner.answer("/etc/init.d/httpd status", exit, "httpd is not running\n");
        assertEquals(new ServiceStatus("httpd", false, null), services.status("httpd"));
        assertEquals(List.of("/etc/init.d/httpd status"), runner.commands(), "no pid file is read for a stopped service");
    }

    @ParameterizedTest(name = "LSB status {0} is a failure")
    @ValueSource(ints = {4, 5, 150})
    void otherStatusCodesAreFailuresWithTheOutput(int exit) {
        runner.answer("/etc/init.d/httpd status", exit, "", "status of httpd unknown: cannot read /etc/httpd.conf\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.status("httpd"));
        assertEquals("cannot tell whether httpd runs: `/etc/init.d/httpd status` exited " + exit + ": status of httpd unknown:"
                + " cannot read /etc/httpd.conf (LSB init scripts answer status with 0 when running and 3 when stopped)",
                e.getMessage());
    }

    @Test
    void aHangingStatusIsAFailure() {
        runner.timeOut("/etc/init.d/httpd status", Duration.ofSeconds(120));
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.status("httpd"));
        assertTrue(e.getMessage().contains("timed out after 120 s"), e.getMessage());
    }

    @Test
    void startRunsOnlyWhenStopped() throws Exception {
        runner.answer("/etc/init.d/httpd status", 3, "").answer("/etc/init.d/httpd status", 0, "")
                .answer("/etc/init.d/httpd start", 0, "Starting httpd.\n").answer("cat /run/httpd.pid", 0, "4242\n");
        ServiceChange started = services.start("httpd");
        assertTrue(started.changed());
        assertEquals(new ServiceStatus("httpd", false, null), started.before());
        assertEquals(new ServiceStatus("httpd", true, 4242L), started.after());
        assertEquals(List.of("/etc/init.d/httpd status", "/etc/init.d/httpd start", "/etc/init.d/httpd status",
                "cat /run/httpd.pid"), runner.commands());

        assertFalse(services.start("httpd").changed());
        assertEquals(6, runner.commands().size(), "an idempotent start only looks");
    }

    @Test
    void stopRunsOnlyWhenRunning() throws Exception {
        runner.answer("/etc/init.d/httpd status", 0, "").answer("/etc/init.d/httpd status", 3, "")
                .answer("cat /run/httpd.pid", 0, "4242\n").answer("/etc/init.d/httpd stop", 0, "");
        ServiceChange stopped = services.stop("httpd");
        assertTrue(stopped.changed());
        assertEquals(4242L, stopped.before().pid());
        assertFalse(stopped.after().running());
        assertFalse(services.stop("httpd").changed());
        assertEquals(List.of("/etc/init.d/httpd status", "cat /run/httpd.pid", "/etc/init.d/httpd stop",
                "/etc/init.d/httpd status", "/etc/init.d/httpd status"), runner.commands());
    }

    @Test
    void restartAlwaysRuns() throws Exception {
        runner.answer("/etc/init.d/httpd status", 0, "").answer("cat /run/httpd.pid", 0, "4242\n")
                .answer("cat /run/httpd.pid", 0, "4243\n").answer("/etc/init.d/httpd restart", 0, "");
        ServiceChange restarted = services.restart("httpd");
        assertTrue(restarted.changed());
        assertEquals(4242L, restarted.before().pid());
        assertEquals(4243L, restarted.after().pid());
        assertTrue(runner.commands().contains("/etc/init.d/httpd restart"));
    }

    @Test
    void aFailingStartSaysWhatTheScriptSaid() {
        runner.answer("/etc/init.d/httpd status", 3, "").answer("/etc/init.d/httpd start", 1, "",
                "httpd: Syntax error on line 42 of /etc/httpd/conf/httpd.conf\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.start("httpd"));
        assertEquals("`/etc/init.d/httpd start` exited 1: httpd: Syntax error on line 42 of /etc/httpd/conf/httpd.conf",
                e.getMessage());
        assertEquals(1, e.data().get("exitcode"));
    }

    @Test
    void aStartThatLeavesTheServiceDownFails() {
        runner.answer("/etc/init.d/httpd status", 3, "").answer("/etc/init.d/httpd start", 0, "");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.start("httpd"));
        assertEquals("`/etc/init.d/httpd start` succeeded but `/etc/init.d/httpd status` says httpd is stopped", e.getMessage());
    }

    @Test
    void aMissingScriptBehindAPrefixIsNotFound() {
        runner.answer("/etc/init.d/nosuchd status", 127, "", "nsenter: failed to execute /etc/init.d/nosuchd: No such file or directory\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> services.start("nosuchd"));
        assertTrue(e.getMessage().startsWith("service nosuchd not found: no executable init script /etc/init.d/nosuchd ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; check the service name, or set init_dir"), e.getMessage());
    }

    @Test
    void aMissingScriptOnThisHostIsNotFoundWithoutRunningAnything() {
        FakeCommandRunner local = new FakeCommandRunner();
        SysvServices here = new SysvServices(local, initDir.toString(), Map.of());
        for (String service : List.of("nosuchd", "notexec")) {
            ActionFailedException e = assertThrows(ActionFailedException.class, () -> here.stop(service));
            assertEquals("service " + service + " not found: no executable init script " + initDir.resolve(service)
                    + "; check the service name, or set init_dir", e.getMessage());
        }
        assertEquals(List.of(), local.commands());
    }

    @Test
    void settings() {
        ServiceAgent agent = (ServiceAgent) new ServiceAgent.Factory().create(new Settings("agents.service",
                Map.of("provider", "sysv", "init_dir", initDir + "/", "pidfiles", Map.of("httpd", "/var/run/httpd/httpd.pid"))), null);
        assertEquals("sysv", agent.provider());
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("init_dir", "etc/init.d"),
                Map.<String, Object>of("pidfiles", Map.of("httpd", "httpd.pid")),
                Map.<String, Object>of("pidfiles", Map.of("../x", "/run/x.pid")))) {
            Map<String, Object> values = new HashMap<>(bad);
            values.put("provider", "sysv");
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new ServiceAgent.Factory().create(new Settings("agents.service", values), null));
            assertTrue(e.getMessage().startsWith("agents.service."), e.getMessage());
        }
    }

    @Test
    void theTrailingSlashOfInitDirDoesNotMatter() throws Exception {
        FakeCommandRunner local = new FakeCommandRunner().answer(initDir.resolve("httpd") + " status", 3, "");
        SysvServices here = new SysvServices(local, initDir.toString(), Map.of());
        assertFalse(here.status("httpd").running());
        ServiceAgent viaSettings = (ServiceAgent) new ServiceAgent.Factory().create(new Settings("agents.service",
                Map.of("provider", "sysv", "init_dir", initDir + "/")), null);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> viaSettings.services().status("nosuchd"));
        assertTrue(e.getMessage().contains(" " + initDir.resolve("nosuchd") + ";"), e.getMessage());
    }

    @Test
    void autoPrefersSystemdThenTheInitDir() {
        boolean systemd = Files.isDirectory(Path.of(SystemdServices.BOOTED_MARKER));
        ServiceAgent agent = (ServiceAgent) new ServiceAgent.Factory().create(new Settings("agents.service",
                Map.of("init_dir", initDir.toString())), null);
        assertEquals(systemd ? "systemd" : "sysv", agent.provider());
        if (!systemd) {
            ConfigException none = assertThrows(ConfigException.class, () -> new ServiceAgent.Factory().create(
                    new Settings("agents.service", Map.of("init_dir", initDir.resolve("missing").toString())), null));
            assertTrue(none.getMessage().startsWith("No service provider works on this host (looked for: systemd, sysv)"),
                    none.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"httpd; reboot", "$(id)", "`id`", "-H", "a b", "../x", "x/y", "httpd\nreboot", "httpd|cat",
            "a&&b", "<x"})
    void hostileNamesAreRefusedBeforeAnythingRuns(String service) {
        AgentHarness agent = new AgentHarness(Map.of("service", Map.of("provider", "sysv", "init_dir", initDir.toString())));
        long started = ProcessCommandRunner.startedProcesses();
        for (String action : List.of("start", "stop", "restart", "status")) {
            Reply reply = agent.call("service", action, Map.of("service", service));
            assertEquals(Status.INVALID_DATA, reply.status(), reply.message());
        }
        assertEquals(started, ProcessCommandRunner.startedProcesses(), "no process was started");
    }
}
