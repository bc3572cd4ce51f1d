package io.drover.agents.service;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agents.service.ServiceProvider.ServiceChange;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import io.drover.testing.AgentHarness;
import io.drover.testing.NspawnContainer;
import io.drover.testing.RealTools;
import io.drover.testing.TcpListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The systemd provider against a real systemd: a container booted with systemd-nspawn on an overlay of this
 * host's root, driven through {@code command_prefix: [nsenter, -t, PID, -a]}. The test service is the test
 * JVM's java running {@link TcpListener} on port 8080 of the container's private network, checked from inside
 * with the Nagios check_tcp plugin.
 */
class SystemdServicesIT {
    private static final String UNIT = "drover-it-listener.service";
    private static final int PORT = 8080;
    private static final String CHECK_TCP = "/usr/lib/nagios/plugins/check_tcp";

    private static NspawnContainer container;
    private static AgentHarness agent;

    @BeforeAll
    static void boot() throws Exception {
        RealTools.requireRoot();
        RealTools.require("systemd-nspawn", "systemd-container");
        RealTools.require("nsenter", "util-linux");
        RealTools.require(CHECK_TCP, "monitoring-plugins-basic");
        String javaHome = Path.of(System.getProperty("java.home")).toRealPath().toString();
        List<String> exec = new ArrayList<>();
        exec.add(TcpListener.java());
        exec.addAll(TcpListener.arguments(PORT));
        container = NspawnContainer.boot(Map.of(UNIT, """
                        [Unit]
                        Description=Drover integration test listener
                        # The tests start and restart it more often than systemd's default of 5 starts in 10 s allows.
                        StartLimitIntervalSec=0

                        [Service]
                        ExecStart=%s
                        """.formatted(String.join(" ", exec.stream().map(SystemdServicesIT::quoted).toList()))),
                // The container's /tmp is its own tmpfs, and the JDK or the build may live outside the root file system.
                List.of(Path.of(javaHome), Path.of(TcpListener.classes())), Duration.ofSeconds(60));
        System.out.printf("SystemdServicesIT: container %s (init pid %d) running after %d ms%n", container.machine(),
                container.initPid(), container.bootTime().toMillis());
        // provider: auto; the prefix makes detection look inside the container.
        agent = new AgentHarness(Map.of("service", Map.of("command_prefix", container.prefix(), "command_timeout", 60)));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (container == null) {
            return;
        }
        Path dir = container.directory();
        long init = container.initPid();
        long started = System.nanoTime();
        container.close();
        System.out.printf("SystemdServicesIT: container shut down and removed in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertFalse(container.running(), "systemd-nspawn has exited");
        assertFalse(ProcessHandle.of(init).map(ProcessHandle::isAlive).orElse(false), "the container's init is gone");
        assertEquals(List.of(), NspawnContainer.mountsUnder(dir), "no mount is left");
        assertFalse(Files.exists(dir), "the temporary directory is removed");
    }

    /** systemd's quoting for one ExecStart argument. */
    private static String quoted(String arg) {
        return "\"" + arg.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("$", "$$") + "\"";
    }

    private static ServiceProvider services() {
        return agent.node().plugin("service", ServiceAgent.class).services();
    }

    /** Whether the listener answers inside the container; it may take a moment to open its port after a start. */
    private static boolean listening(boolean expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            boolean open = container.exec(CHECK_TCP, "-H", "127.0.0.1", "-p", String.valueOf(PORT), "-t", "2").exitCode() == 0;
            if (open == expected || System.nanoTime() > deadline) {
                return open;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void autoDetectsSystemdThroughThePrefix() {
        assertEquals("systemd", agent.node().plugin("service").provider(),
                "the container runs systemd whatever the host runs");
    }

    @Test
    void startStopRestartAndStatusOfARealUnit() throws Exception {
        ServiceProvider services = services();
        assertEquals(new ServiceStatus("drover-it-listener", false, null), services.status("drover-it-listener"));

        ServiceChange start = services.start("drover-it-listener");
        assertTrue(start.changed());
        assertTrue(start.after().running());
        long pid = start.after().pid();
        assertEquals(String.valueOf(pid), container.exec("systemctl", "show", "-p", "MainPID", "--value", UNIT).output().strip());
        assertTrue(listening(true), "the listener answers on port " + PORT + " inside the container");

        ServiceChange again = services.start(UNIT);
        assertFalse(again.changed());
        assertEquals(pid, again.after().pid());

        ServiceChange restart = services.restart("drover-it-listener");
        assertTrue(restart.changed());
        assertEquals(pid, restart.before().pid());
        assertNotEquals(pid, restart.after().pid());
        assertTrue(listening(true));

        ServiceChange stop = services.stop("drover-it-listener");
        assertTrue(stop.changed());
        assertEquals(new ServiceStatus("drover-it-listener", false, null), stop.after());
        assertFalse(listening(false), "the port is closed");
        assertFalse(services.stop("drover-it-listener").changed());

        ServiceChange fromStopped = services.restart("drover-it-listener");
        assertTrue(fromStopped.changed(), "restart starts a stopped service");
        assertTrue(fromStopped.after().running());
        assertTrue(services.stop("drover-it-listener").changed());
    }

    @Test
    void throughTheAgent() {
        Reply start = agent.call("service", "start", Map.of("service", "drover-it-listener"));
        assertEquals(Status.OK, start.status(), start.message());
        assertEquals("started drover-it-listener", start.message());
        Reply status = agent.call("service", "status", Map.of("service", "drover-it-listener"));
        assertEquals("running", status.get("status"));
        assertEquals(start.get("pid"), status.get("pid"));
        Reply stop = agent.call("service", "stop", Map.of("service", "drover-it-listener"));
        assertEquals(Status.OK, stop.status(), stop.message());
        assertEquals("stopped", stop.get("status"));
    }

    /**
     * What systemd says of the unit that any start, stop or restart would change: its state, main process, the id of
     * its current invocation and when it last changed state.
     */
    private static String unitState() throws Exception {
        return container.exec("systemctl", "show", "-p", "LoadState,ActiveState,SubState,MainPID,ExecMainPID,InvocationID,"
                + "StateChangeTimestampMonotonic,ActiveEnterTimestampMonotonic,InactiveEnterTimestampMonotonic,NRestarts", UNIT).output();
    }

    @Test
    void dryRunsAskSystemdAndChangeNothingAndTheRealRunDoesWhatTheyPredicted() throws Exception {
        Map<String, Object> listener = Map.of("service", "drover-it-listener");
        assertEquals(Status.OK, agent.call("service", "start", listener).status());
        assertTrue(listening(true));
        String running = unitState();
        assertTrue(running.contains("ActiveState=active"), running);

        Reply restart = agent.dryRun("service", "restart", listener);
        assertEquals(Status.OK, restart.status(), restart.message());
        assertEquals("would restart drover-it-listener", restart.message());
        assertTrue(restart.dryRun() && restart.wouldChange() && !restart.changed(), restart.data().toString());
        assertEquals("drover-it-listener is already running, nothing to do", agent.dryRun("service", "start", listener).message());
        Reply stop = agent.dryRun("service", "stop", listener);
        assertEquals("would stop drover-it-listener", stop.message());
        assertEquals("stopped", stop.get("status"));
        assertEquals("running", agent.dryRun("service", "status", listener).get("status"));
        assertEquals(running, unitState(), "a dry run restarted, stopped or started nothing");
        assertTrue(listening(true));

        Reply restarted = agent.call("service", "restart", listener);
        assertEquals(restart.wouldChange(), restarted.changed());
        assertEquals(restart.get("status"), restarted.get("status"));
        assertFalse(running.equals(unitState()), "a real restart shows in the unit's state (a new invocation)");

        Reply stopped = agent.call("service", "stop", listener);
        assertEquals(stop.get("status"), stopped.get("status"));
        String inactive = unitState();
        assertEquals("would start drover-it-listener", agent.dryRun("service", "start", listener).message());
        assertEquals("would restart drover-it-listener", agent.dryRun("service", "restart", listener).message());
        assertEquals("drover-it-listener is already stopped, nothing to do", agent.dryRun("service", "stop", listener).message());
        assertEquals(inactive, unitState());
        assertFalse(listening(false));
    }

    @Test
    void aTemplatedUnitOfTheHostsSystemd() throws Exception {
        // getty@ is in every systemd; tty1 does not exist in the container, which is fine for status.
        assertFalse(services().status("getty@tty1.service").running());
    }

    @Test
    void anUnknownUnitIsAClearFailure() {
        for (String service : List.of("drover-it-nosuchd", "drover-it-nosuchd.service")) {
            ActionFailedException e = assertThrows(ActionFailedException.class, () -> services().start(service));
            assertTrue(e.getMessage().startsWith("unit drover-it-nosuchd.service not found; "), e.getMessage());
        }
        Reply reply = agent.call("service", "status", Map.of("service", "drover-it-nosuchd"));
        assertEquals(Status.ABORTED, reply.status());
        assertTrue(reply.message().startsWith("unit drover-it-nosuchd.service not found"), reply.message());
    }
}
