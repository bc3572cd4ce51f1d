package io.drover.steps;

import io.drover.client.CallResult;
import io.drover.report.HostTable;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate's loop on a clock the test moves: each pause advances it by the interval, so attempts and deadlines are
 * exact, whatever the machine's load.
 */
class HealthGateTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<SortedSet<String>> asked = new ArrayList<>();
    private final List<Duration> waits = new ArrayList<>();

    private HealthGate gate(Duration limit, Duration interval) {
        return new HealthGate(limit, interval, Duration.ofSeconds(60), now::get, pause -> now.addAndGet(pause.toNanos()));
    }

    /** Hosts pass on their n-th time asked; each attempt takes {@code callTime}. */
    private HealthGate.Ask passingOn(Map<String, Integer> attemptsToPass, Duration callTime) {
        Map<String, Integer> times = new TreeMap<>();
        return (hosts, timeout) -> {
            asked.add(hosts);
            waits.add(timeout);
            now.addAndGet(callTime.toNanos());
            SortedMap<String, Reply> replies = new TreeMap<>();
            for (String host : hosts) {
                int time = times.merge(host, 1, Integer::sum);
                boolean ok = time >= attemptsToPass.getOrDefault(host, Integer.MAX_VALUE);
                replies.put(host, new Reply("req-00000001", host, "nrpe", "run_command", ok ? Status.OK : Status.ABORTED,
                        ok ? "OK: ready" : "CRITICAL: settling " + time, Map.of(), 3));
            }
            CallResult call = new CallResult("req-0000000" + asked.size(), "nrpe", "run_command", hosts, replies, new TreeMap<>(),
                    new TreeMap<>(), 0, callTime);
            return new HealthGate.Answer(HostTable.of(call, reply -> null, false), call);
        };
    }

    @Test
    void onlyHostsNotYetPassingAreAskedAgainUntilTheyPass() {
        HealthGate.Outcome outcome = gate(Duration.ofMinutes(2), Duration.ofSeconds(5)).run(new TreeSet<>(List.of("a", "b", "c")),
                passingOn(Map.of("a", 1, "b", 3, "c", 2), Duration.ofMillis(100)));
        assertEquals(List.of(new TreeSet<>(List.of("a", "b", "c")), new TreeSet<>(List.of("b", "c")), new TreeSet<>(List.of("b"))), asked);
        assertEquals(3, outcome.attempts());
        assertTrue(outcome.failed().isEmpty());
        Map<String, Integer> attempts = new TreeMap<>();
        outcome.hosts().forEach(host -> attempts.put(host.host(), host.attempts()));
        assertEquals(Map.of("a", 1, "b", 3, "c", 2), attempts);
        // b passed on the third attempt: two calls and two pauses before it, and its own call.
        assertEquals(Duration.ofMillis(10_300), outcome.hosts().get(1).passedAt());
        String table = outcome.render(false);
        assertTrue(table.contains("| b    | OK     | 3        | 10.3 s    | OK: ready"), table);
    }

    @Test
    void aGateThatNeverPassesStopsAtTheDeadlineNamingTheLastAnswer() {
        HealthGate.Outcome outcome = gate(Duration.ofSeconds(30), Duration.ofSeconds(5)).run(new TreeSet<>(List.of("a", "b")),
                passingOn(Map.of("a", 1), Duration.ofSeconds(1)));
        // Attempts start at 0, 6, 12, 18 and 24 s; the next would start at 30 s, the deadline.
        assertEquals(5, outcome.attempts());
        assertEquals(1, outcome.failed().size());
        HealthGate.HostRecord b = outcome.failed().get(0);
        assertEquals("b", b.host());
        assertEquals(5, b.attempts());
        assertNull(b.passedAt());
        assertEquals(HostTable.FAILED, b.last().result());
        assertTrue(b.last().message().contains("settling 5"), b.last().message());
        assertTrue(outcome.render(true).contains("| b    | FAILED | 5        | -"), outcome.render(true));
        assertTrue(!outcome.render(true).contains("| a "), "only the hosts that did not pass");
    }

    @Test
    void anAttemptWaitsNoLongerThanTheTimeLeftButAtLeastASecond() {
        gate(Duration.ofSeconds(12), Duration.ofSeconds(5)).run(new TreeSet<>(List.of("a")), passingOn(Map.of(), Duration.ofSeconds(1)));
        assertEquals(List.of(Duration.ofSeconds(12), Duration.ofSeconds(6)), waits);
        waits.clear();
        gate(Duration.ofMinutes(10), Duration.ofMinutes(20)).run(new TreeSet<>(List.of("a")), passingOn(Map.of(), Duration.ofSeconds(1)));
        assertEquals(List.of(Duration.ofSeconds(60)), waits, "never longer than the step timeout");
    }
}
