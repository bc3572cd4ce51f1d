package io.drover.report;

import io.drover.client.CallResult;

import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** At 5,000 hosts the console shows counts and the groups of hosts that did not pass, not 5,000 rows. */
class OutcomeSummaryTest {
    private static HostTable fleet(int hosts, Map<String, String> failing, Map<String, String> silent) {
        SortedMap<String, Reply> replies = new TreeMap<>();
        SortedMap<String, String> missing = new TreeMap<>();
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 1; i <= hosts; i++) {
            String host = String.format("node%05d.example.com", i);
            expected.add(host);
            if (silent.containsKey(host)) {
                missing.put(host, silent.get(host));
            } else if (failing.containsKey(host)) {
                replies.put(host, reply(host, Status.ABORTED, failing.get(host)));
            } else {
                replies.put(host, reply(host, Status.OK, "updated"));
            }
        }
        return HostTable.of(new CallResult("req-00000001", "package", "update", expected, replies, missing, new TreeMap<>(), 0,
                Duration.ofSeconds(3)));
    }

    private static Reply reply(String host, Status status, String message) {
        return new Reply("req-00000001", host, "package", "update", status, message, Map.of("changed", status == Status.OK), 12);
    }

    @Test
    void fiveThousandHostsWithTwoFailuresIsThreeLines() {
        HostTable table = fleet(5000, Map.of("node00007.example.com", "E: dpkg returned an error code (1)",
                "node04711.example.com", "E: dpkg returned an error code (1)"), Map.of());
        String summary = OutcomeSummary.of(table);
        assertEquals("4,998 OK, 2 FAILED:\n"
                + "  2 FAILED: E: dpkg returned an error code (1)\n"
                + "    node00007.example.com, node04711.example.com\n", summary);
        assertTrue(OutcomeSummary.summarises(5000));
    }

    @Test
    void identicalOutcomesAreGroupedAndLongGroupsCounted() {
        Map<String, String> silent = new TreeMap<>();
        for (int i = 100; i < 130; i++) {
            silent.put(String.format("node%05d.example.com", i), "no reply within 60 s");
        }
        HostTable table = fleet(1000, Map.of("node00001.example.com", "disk full"), silent);
        String summary = OutcomeSummary.of(table);
        assertTrue(summary.startsWith("969 OK, 1 FAILED, 30 NO REPLY:\n"), summary);
        assertTrue(summary.contains("  1 FAILED: disk full\n    node00001.example.com\n"), summary);
        assertTrue(summary.contains("  30 NO REPLY: no reply within 60 s\n    node00100.example.com, ") && summary.contains(" and 20 more\n"),
                summary);
        assertTrue(summary.lines().count() < 10, summary);
    }

    @Test
    void manyDifferentFailuresShowTheFirstGroupsAndCountTheRest() {
        Map<String, String> failing = new TreeMap<>();
        for (int i = 1; i <= 100; i++) {
            failing.put(String.format("node%05d.example.com", i), "error " + i);
        }
        String summary = OutcomeSummary.of(fleet(5000, failing, Map.of()));
        assertTrue(summary.startsWith("4,900 OK, 100 FAILED:\n"), summary);
        assertTrue(summary.contains("... and 80 more hosts in other groups"), summary);
    }

    @Test
    void aSmallFleetKeepsItsTable() {
        assertFalse(OutcomeSummary.summarises(OutcomeSummary.THRESHOLD));
        assertTrue(OutcomeSummary.summarises(OutcomeSummary.THRESHOLD + 1));
        assertEquals("4 OK\n", OutcomeSummary.of(fleet(4, Map.of(), Map.of())));
    }
}
