package io.drover.report;

import io.drover.client.LateReply;

import io.drover.client.ConnectionEvent;

import io.drover.client.CallResult;

import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostTableTest {
    private static final String ID = "0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10";

    private static Reply ok(String host) {
        return new Reply(ID, host, "firewall", "block", Status.OK, "blocked 192.168.1.1", Map.of("changed", true), 3);
    }

    private static CallResult result(List<ConnectionEvent> events, int afterRecovery, String... missing) {
        TreeMap<String, Reply> replies = new TreeMap<>(Map.of("web1", ok("web1")));
        TreeMap<String, String> noReply = new TreeMap<>();
        for (String host : missing) {
            noReply.put(host, "no reply within 30 s");
        }
        TreeSet<String> expected = new TreeSet<>(replies.keySet());
        expected.addAll(noReply.keySet());
        return new CallResult(ID, "firewall", "block", expected, replies, noReply, new TreeMap<>(), 0, Duration.ofSeconds(30),
                events, afterRecovery);
    }

    private static ConnectionEvent event(ConnectionEvent.Kind kind, long ms, String detail) {
        return new ConnectionEvent(kind, Duration.ofMillis(ms), detail);
    }

    @Test
    void aCallWithoutConnectionTroubleSaysNothingAboutIt() {
        CallResult result = result(List.of(), 0, "web2");
        assertEquals("", result.connectionSummary());
        assertFalse(HostTable.of(result).render().contains("Broker connection"));
    }

    @Test
    void aLostAndRecoveredConnectionIsNamedWithTimesCauseAndRepliesAfterwards() {
        CallResult result = result(List.of(event(ConnectionEvent.Kind.LOST, 2_100, "connection reset"),
                event(ConnectionEvent.Kind.RECOVERED, 6_300, "")), 3);
        assertEquals("the runner lost its broker connection at 2.1 s (connection reset) and recovered at 6.3 s; "
                + "3 replies were received after it recovered", result.connectionSummary());
        String table = HostTable.of(result).render();
        assertTrue(table.endsWith("  Broker connection: the runner lost its broker connection at 2.1 s (connection reset) "
                + "and recovered at 6.3 s; 3 replies were received after it recovered\n"), table);
    }

    @Test
    void aConnectionStillDownOrLostBeforeTheCallSaysSo() {
        CallResult result = result(List.of(event(ConnectionEvent.Kind.LOST, -1_500, "")), 0, "web2");
        assertEquals("the runner lost its broker connection before the call started and had not recovered when the call "
                + "ended at 30 s", result.connectionSummary());
    }

    @Test
    void aBlockedConnectionNamesTheAlarmInTheFailureTable() {
        CallResult result = result(List.of(event(ConnectionEvent.Kind.BLOCKED, 1_000, "low on memory")), 0, "web2");
        String failures = HostTable.of(result).renderFailures();
        assertTrue(failures.contains("| web2 | NO REPLY |"), failures);
        assertTrue(failures.contains("Broker connection: the broker blocked publishing at 1 s (low on memory), a memory or "
                + "disk alarm that holds back every publisher, agents' replies too, and still blocked it when the call ended at 30 s"),
                failures);
    }

    @Test
    void blockThenUnblockAndALossThatEndsABlockAreBothTold() {
        CallResult unblocked = result(List.of(event(ConnectionEvent.Kind.BLOCKED, 1_000, "low on memory"),
                event(ConnectionEvent.Kind.UNBLOCKED, 4_250, "")), 0);
        assertTrue(unblocked.connectionSummary().endsWith("and unblocked it at 4.3 s"), unblocked.connectionSummary());
        CallResult lost = result(List.of(event(ConnectionEvent.Kind.BLOCKED, 1_000, "disk"),
                event(ConnectionEvent.Kind.LOST, 2_000, "reset"), event(ConnectionEvent.Kind.RECOVERED, 5_000, "")), 1);
        assertEquals("the broker blocked publishing at 1 s (disk), a memory or disk alarm that holds back every publisher, "
                + "agents' replies too, and kept it blocked until the connection was lost at 2 s; the runner lost its broker "
                + "connection at 2 s (reset) and recovered at 5 s; 1 reply was received after it recovered", lost.connectionSummary());
    }

    @Test
    void connectionDetailsFromTheBrokerStayOnOneLine() {
        CallResult result = result(List.of(event(ConnectionEvent.Kind.BLOCKED, 1_000, "low\non | memory")), 0, "web2");
        String line = HostTable.of(result).renderFailures().lines().filter(l -> l.contains("Broker connection")).findFirst().orElseThrow();
        assertTrue(line.contains("low on / memory"), line);
    }

    @Test
    void lateRepliesAreRowsSayingWhatTheHostAnsweredAndWhen() {
        Reply failed = new Reply(ID, "dev3.de.example.com", "firewall", "block", Status.ABORTED, "iptables failed", Map.of(), 30_000);
        List<LateReply> late = List.of(new LateReply(ID, "firewall.block", ok("dev2.de.example.com"), Duration.ofMillis(31_200)),
                new LateReply(ID, "firewall.block", failed, Duration.ofMillis(45_000)));
        assertEquals("answered after the step gave up: OK at 31.2 s", late.get(0).describe());
        String table = HostTable.ofLateReplies(late).render();
        assertTrue(table.contains("| dev2.de.example.com | LATE   | 0 OK      | true    | firewall.block answered after the step gave up: "
                + "OK at 31.2 s: blocked 192.168.1.1 "), table);
        assertTrue(table.contains("answered after the step gave up: status 1 aborted at 45 s: iptables failed"), table);
    }

    @Test
    void aDryRunsChangedColumnSaysWhatWouldChange() {
        Reply would = new Reply(ID, "web1", "firewall", "block", Status.OK, "would block 192.168.1.1",
                Map.of("changed", false, "would_change", true, "dry_run", true), 3);
        Reply status = new Reply(ID, "web2", "firewall", "is_blocked", Status.OK, "192.168.1.1 is not blocked",
                Map.of("blocked", false, "would_change", false, "dry_run", true), 3);
        CallResult result = new CallResult(ID, "firewall", "block", new TreeSet<>(List.of("web1", "web2")),
                new TreeMap<>(Map.of("web1", would, "web2", status)), new TreeMap<>(), new TreeMap<>(), 0, Duration.ofSeconds(1));
        List<HostTable.Row> rows = HostTable.of(result).rows();
        assertEquals("would: true", rows.get(0).changed());
        assertEquals("", rows.get(1).changed(), "a read-only action reports no change column");
    }
}
