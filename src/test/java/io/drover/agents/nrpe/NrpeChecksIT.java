package io.drover.agents.nrpe;

import io.drover.agent.command.ProcessCommandRunner;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import io.drover.testing.AgentHarness;
import io.drover.testing.RealTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NRPE provider running the real Nagios plugins of monitoring-plugins-basic through the agent. */
class NrpeChecksIT {
    private static final String PLUGINS = "/usr/lib/nagios/plugins/";

    @TempDir
    Path dir;
    private ServerSocket listener;
    private int closedPort;
    private AgentHarness agent;

    @BeforeEach
    void config() throws IOException {
        RealTools.require(PLUGINS + "check_load", "monitoring-plugins-basic");
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = closed.getLocalPort();
        }
        Files.createDirectories(dir.resolve("nrpe.d"));
        Files.writeString(dir.resolve("nrpe.d/tcp.cfg"), """
                command[check_tcp_open]=%1$scheck_tcp -H 127.0.0.1 -p %2$d
                command[check_tcp_closed]=%1$scheck_tcp -H 127.0.0.1 -p %3$d
                """.formatted(PLUGINS, listener.getLocalPort(), closedPort));
        Files.writeString(dir.resolve("dummy.cfg"), """
                command[check_dummy_0]=%1$scheck_dummy 0 "all is well"
                command[check_dummy_1]=%1$scheck_dummy 1 "disk 85%% full"
                command[check_dummy_2]=%1$scheck_dummy 2 'disk on fire'
                command[check_dummy_3]=%1$scheck_dummy 3 "cannot tell"
                command[check_perf]=%1$scheck_dummy 0 'fine|time=0.004s;;;0 size=1834B;;;0'
                """.formatted(PLUGINS));
        Files.writeString(dir.resolve("nrpe.cfg"), """
                # nrpe.cfg as the Debian package ships it, shortened
                server_port=5666
                allowed_hosts=127.0.0.1,::1
                dont_blame_nrpe=0
                command_timeout=60
                command[check_load]=%1$scheck_load -w 1000,1000,1000 -c 2000,2000,2000
                command[check_hang]=/bin/sleep 60
                include=dummy.cfg
                include_dir=nrpe.d
                """.formatted(PLUGINS));
        agent = new AgentHarness(Map.of("nrpe", Map.of("config", dir.resolve("nrpe.cfg").toString(), "timeout", 1)));
    }

    @AfterEach
    void close() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    private Reply run(String command) {
        return agent.call("nrpe", "run_command", Map.of("command", command));
    }

    @Test
    void detectsTheConfigAndDefinesItsChecks() {
        assertEquals("nrpe", agent.node().plugin("nrpe").provider());
        assertEquals(Set.of("check_load", "check_hang", "check_dummy_0", "check_dummy_1", "check_dummy_2", "check_dummy_3",
                "check_perf", "check_tcp_open", "check_tcp_closed"), agent.node().plugin("nrpe", NrpeAgent.class).checks().commands());
    }

    @Test
    void checkLoad() {
        Reply reply = run("check_load");
        assertEquals(Status.OK, reply.status(), reply.message());
        assertEquals("OK", reply.get("state"));
        assertTrue(((String) reply.get("output")).startsWith("LOAD OK - total load average: "), reply.message());
        assertTrue(((String) reply.get("perfdata")).startsWith("load1="), String.valueOf(reply.get("perfdata")));
    }

    @Test
    void checkTcpAgainstAnOpenAndAClosedPort() {
        Reply open = run("check_tcp_open");
        assertEquals(Status.OK, open.status(), open.message());
        assertTrue(((String) open.get("output")).startsWith("TCP OK - "), open.message());
        assertTrue(((String) open.get("perfdata")).startsWith("time="), String.valueOf(open.get("perfdata")));

        Reply closed = run("check_tcp_closed");
        assertEquals(Status.ABORTED, closed.status());
        assertEquals("CRITICAL", closed.get("state"));
        assertEquals(2, closed.get("exitcode"));
        assertEquals("connect to address 127.0.0.1 and port " + closedPort + ": Connection refused", closed.get("output"));
    }

    @ParameterizedTest(name = "check_dummy {0}")
    @CsvSource(delimiter = '^', value = {"0 ^ OK ^ all is well", "1 ^ WARNING ^ disk 85% full", "2 ^ CRITICAL ^ disk on fire",
            "3 ^ UNKNOWN ^ cannot tell"})
    void everyExitCode(int exit, String state, String message) {
        Reply reply = run("check_dummy_" + exit);
        assertEquals(exit == 0 ? Status.OK : Status.ABORTED, reply.status(), reply.message());
        assertEquals(exit, reply.get("exitcode"));
        assertEquals(state, reply.get("state"));
        assertEquals(state + ": " + message, reply.get("output"));
        assertEquals(state + ": " + state + ": " + message, reply.message());
        assertEquals("", reply.get("perfdata"));
    }

    @Test
    void perfdataIsSplitOff() {
        Reply reply = run("check_perf");
        assertEquals(Status.OK, reply.status(), reply.message());
        assertEquals("OK: fine", reply.get("output"));
        assertEquals("time=0.004s;;;0 size=1834B;;;0", reply.get("perfdata"));
    }

    @Test
    void anUndefinedCheckIsRefusedBeforeAnythingRuns() {
        long started = ProcessCommandRunner.startedProcesses();
        Reply reply = run("check_users");
        assertEquals(Status.INVALID_DATA, reply.status());
        assertTrue(reply.message().endsWith("no check of that name is defined on this node (defined: check_dummy_0, "
                + "check_dummy_1, check_dummy_2, check_dummy_3, check_hang, check_load, check_perf, check_tcp_closed, "
                + "check_tcp_open)"), reply.message());
        assertEquals(started, ProcessCommandRunner.startedProcesses(), "no process was started");
    }

    @Test
    void aHangingCheckIsKilledAtTheTimeoutAndUnknown() {
        long started = System.nanoTime();
        Reply reply = run("check_hang");
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(Status.ABORTED, reply.status());
        assertEquals("UNKNOWN", reply.get("state"));
        assertEquals(3, reply.get("exitcode"));
        assertEquals("UNKNOWN: check timed out after 1 s and was killed", reply.get("output"));
        assertTrue(elapsedMs >= 1000 && elapsedMs < 2500, "took " + elapsedMs + " ms with a 1 s timeout");
        System.out.printf("NrpeChecksIT: the hanging check answered after %d ms%n", elapsedMs);
    }
}
