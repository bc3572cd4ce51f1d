package io.drover.agents.service;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agents.service.ServiceProvider.ServiceChange;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import io.drover.testing.AgentHarness;
import io.drover.testing.RealTools;
import io.drover.testing.TcpListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SysV provider against a real LSB init script in a temporary init.d: start-stop-daemon with a pid file
 * around a real listener process (the test JVM's java running {@link TcpListener}).
 */
class SysvServicesIT {
    private static final String SERVICE = "drover-it-listener";

    @TempDir
    Path dir;
    private Path pidfile;
    private int port;
    private AgentHarness agent;

    @BeforeEach
    void initScript() throws IOException {
        RealTools.require("start-stop-daemon", "dpkg");
        Path initDir = Files.createDirectories(dir.resolve("init.d"));
        pidfile = dir.resolve("run").resolve(SERVICE + ".pid");
        Files.createDirectories(pidfile.getParent());
        port = freePort();
        String script = """
                #!/bin/bash
                # A small LSB init script, as packages ship them: start-stop-daemon around a daemon, with a pid file.
                PIDFILE='%s'
                DAEMON='%s'
                PORT=%d
                case "$1" in
                  start)
                    start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$PIDFILE" --exec "$DAEMON" \\
                      -- %s || exit 1
                    # Ready means listening, as a client sees it.
                    for _ in $(seq 1 150); do
                      (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && exit 0
                      sleep 0.1
                    done
                    echo "listener did not open port $PORT within 15 s" >&2
                    exit 1
                    ;;
                  stop)
                    start-stop-daemon --stop --quiet --oknodo --retry TERM/10/KILL/5 --pidfile "$PIDFILE" --exec "$DAEMON" \\
                      --remove-pidfile
                    ;;
                  restart)
                    "$0" stop && "$0" start
                    ;;
                  status)
                    start-stop-daemon --status --pidfile "$PIDFILE" --exec "$DAEMON"
                    ;;
                  *)
                    echo "Usage: $0 {start|stop|restart|status}" >&2
                    exit 2
                    ;;
                esac
                """.formatted(pidfile, TcpListener.java(), port, String.join(" ", TcpListener.arguments(port)));
        Path path = initDir.resolve(SERVICE);
        Files.writeString(path, script);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path broken = initDir.resolve("drover-it-broken");
        Files.writeString(broken, "#!/bin/sh\necho \"drover-it-broken: cannot read /etc/drover-it.conf\" >&2\nexit 4\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
        agent = new AgentHarness(Map.of("service", Map.of("provider", "sysv", "init_dir", initDir.toString(),
                "pidfiles", Map.of(SERVICE, pidfile.toString()))));
    }

    @AfterEach
    void killLeftovers() throws IOException {
        // Only if a test failed half-way: the listener this test started, by its pid.
        if (pidfile != null && Files.exists(pidfile)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pidfile).strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private ServiceProvider services() {
        return agent.node().plugin("service", ServiceAgent.class).services();
    }

    @Test
    void startStopRestartAndStatusOfARealDaemon() throws Exception {
        ServiceProvider services = services();
        assertEquals("sysv", services.name());
        assertEquals(new ServiceStatus(SERVICE, false, null), services.status(SERVICE));
        assertFalse(answers(port));

        long started = System.nanoTime();
        ServiceChange start = services.start(SERVICE);
        long startMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(start.changed());
        assertTrue(start.after().running());
        long pid = start.after().pid();
        assertEquals(pid, Long.parseLong(Files.readString(pidfile).strip()), "the pid is the pid file's");
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(answers(port), "the daemon listens on " + port);
        assertEquals(new ServiceStatus(SERVICE, true, pid), services.status(SERVICE));

        ServiceChange again = services.start(SERVICE);
        assertFalse(again.changed());
        assertEquals(pid, again.after().pid(), "an idempotent start leaves the daemon alone");

        ServiceChange restart = services.restart(SERVICE);
        assertTrue(restart.changed());
        long newPid = restart.after().pid();
        assertNotEquals(pid, newPid);
        assertTrue(gone(pid), "the old daemon is gone");
        assertTrue(answers(port));

        ServiceChange stop = services.stop(SERVICE);
        assertTrue(stop.changed());
        assertEquals(new ServiceStatus(SERVICE, false, null), stop.after());
        assertFalse(answers(port), "the port is closed");
        assertTrue(gone(newPid), "the daemon is gone");
        assertFalse(Files.exists(pidfile));

        assertFalse(services.stop(SERVICE).changed());
        System.out.printf("SysvServicesIT: start took %d ms%n", startMs);
    }

    @Test
    void throughTheAgent() throws Exception {
        Reply start = agent.call("service", "start", Map.of("service", SERVICE));
        assertEquals(Status.OK, start.status(), start.message());
        assertEquals("started " + SERVICE, start.message());
        Reply status = agent.call("service", "status", Map.of("service", SERVICE));
        assertEquals("running", status.get("status"));
        assertNotNull(status.get("pid"));
        Reply stop = agent.call("service", "stop", Map.of("service", SERVICE));
        assertEquals(Status.OK, stop.status(), stop.message());
        assertEquals(true, stop.get("changed"));
        assertNull(agent.call("service", "status", Map.of("service", SERVICE)).get("pid"));
    }

    @Test
    void dryRunsAskTheInitScriptsStatusAndChangeNothing() throws Exception {
        Map<String, Object> listener = Map.of("service", SERVICE);
        assertEquals("would start " + SERVICE, agent.dryRun("service", "start", listener).message());
        assertFalse(answers(port), "the dry start started nothing");
        assertFalse(Files.exists(pidfile));
        assertEquals(Status.OK, agent.call("service", "start", listener).status());
        String pid = Files.readString(pidfile);

        Reply restart = agent.dryRun("service", "restart", listener);
        assertEquals("would restart " + SERVICE, restart.message());
        assertTrue(restart.wouldChange() && !restart.changed());
        assertEquals("would stop " + SERVICE, agent.dryRun("service", "stop", listener).message());
        assertEquals(SERVICE + " is already running, nothing to do", agent.dryRun("service", "start", listener).message());
        assertEquals(pid, Files.readString(pidfile), "the daemon was neither restarted nor stopped");
        assertTrue(ProcessHandle.of(Long.parseLong(pid.strip())).map(ProcessHandle::isAlive).orElse(false));

        Reply stopped = agent.call("service", "stop", listener);
        assertEquals("stopped", stopped.get("status"));
        assertEquals(SERVICE + " is already stopped, nothing to do", agent.dryRun("service", "stop", listener).message());
    }

    @Test
    void aMissingScriptAndAnUnknownStatusAreClearFailures() {
        ActionFailedException missing = assertThrows(ActionFailedException.class, () -> services().start("drover-it-nosuchd"));
        assertTrue(missing.getMessage().startsWith("service drover-it-nosuchd not found: no executable init script "),
                missing.getMessage());
        ActionFailedException broken = assertThrows(ActionFailedException.class, () -> services().status("drover-it-broken"));
        assertTrue(broken.getMessage().startsWith("cannot tell whether drover-it-broken runs: `" + dir.resolve("init.d")
                + "/drover-it-broken status` exited 4: drover-it-broken: cannot read /etc/drover-it.conf"), broken.getMessage());
    }

    /**
     * Whether the process has ended. A killed daemon is an orphan, and stays a zombie until init reaps it, which
     * some inits (this machine's) do only every second or so: a zombie has ended.
     */
    private static boolean gone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true; // gone between the two looks
        }
    }

    private static boolean answers(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port); InputStream in = socket.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).equals("drover\n");
        } catch (ConnectException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
