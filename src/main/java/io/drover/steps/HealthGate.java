package io.drover.steps;

import io.drover.client.CallResult;
import io.drover.report.HostTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * A Then step that waits ({@code within 2 minutes ...}): asks the hosts, then every {@code interval} asks again only
 * those not yet in the stated state, until all are or the next attempt would start after the deadline. Each attempt
 * waits for replies up to the step timeout, but no longer than the time left (at least {@link #MIN_ATTEMPT_WAIT}), so a
 * gate ends within about its limit. A host that does not answer an attempt is asked again like one in the wrong state.
 */
final class HealthGate {
    /** The shortest time an attempt waits for replies, even right before the deadline. */
    static final Duration MIN_ATTEMPT_WAIT = Duration.ofSeconds(1);

    /** Asks {@code hosts} once, waiting up to {@code timeout}; the table judges each answer. */
    interface Ask {
        Answer ask(SortedSet<String> hosts, Duration timeout);
    }

    /** One attempt's judged answers and the call they came from. */
    record Answer(HostTable table, CallResult call) {
    }

    /** Waits between attempts; tests pass one that does not sleep. */
    interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    /**
     * One host's way through the gate.
     *
     * @param attempts how often it was asked
     * @param passedAt when it passed, from the gate's start, or {@code null}
     * @param last     its last answer
     */
    record HostRecord(String host, int attempts, Duration passedAt, HostTable.Row last) {
        boolean passed() {
            return passedAt != null;
        }
    }

    /**
     * The gate's outcome: every host's record, answers from hosts nobody asked, the attempts made, the last call
     * (for its request id and connection summary) and how long it took.
     */
    record Outcome(List<HostRecord> hosts, List<HostTable.Row> unexpected, int attempts, List<CallResult> calls, Duration elapsed) {
        List<HostRecord> failed() {
            return hosts.stream().filter(host -> !host.passed()).toList();
        }

        /** One row per host: result, attempts, when it passed, its last answer. */
        String render(boolean onlyFailed) {
            List<String[]> cells = new ArrayList<>();
            cells.add(new String[]{"host", "result", "attempts", "passed at", "last answer"});
            for (HostRecord host : hosts) {
                if (onlyFailed && host.passed()) {
                    continue;
                }
                cells.add(new String[]{host.host(), host.last().result(), String.valueOf(host.attempts()),
                        host.passed() ? CallResult.seconds(host.passedAt()) : "-", host.last().message()});
            }
            for (HostTable.Row row : unexpected) {
                cells.add(new String[]{row.host(), row.result(), "-", "-", row.message()});
            }
            return Columns.render(cells);
        }
    }

    private final Duration limit;
    private final Duration interval;
    private final Duration stepTimeout;
    private final LongSupplier nanoTime;
    private final Pause pause;

    HealthGate(Duration limit, Duration interval, Duration stepTimeout, LongSupplier nanoTime, Pause pause) {
        this.limit = limit;
        this.interval = interval;
        this.stepTimeout = stepTimeout;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    Outcome run(SortedSet<String> hosts, Ask ask) {
        long start = nanoTime.getAsLong();
        long deadline = start + limit.toNanos();
        SortedSet<String> pending = new TreeSet<>(hosts);
        Map<String, Integer> attempts = new TreeMap<>();
        Map<String, Duration> passedAt = new TreeMap<>();
        Map<String, HostTable.Row> last = new TreeMap<>();
        List<HostTable.Row> unexpected = new ArrayList<>();
        List<CallResult> calls = new ArrayList<>();
        int made = 0;
        while (true) {
            long left = deadline - nanoTime.getAsLong();
            Duration wait = Duration.ofNanos(Math.max(left, MIN_ATTEMPT_WAIT.toNanos()));
            Answer answer = ask.ask(new TreeSet<>(pending), wait.compareTo(stepTimeout) < 0 ? wait : stepTimeout);
            made++;
            calls.add(answer.call());
            Duration at = Duration.ofNanos(nanoTime.getAsLong() - start);
            for (HostTable.Row row : answer.table().rows()) {
                if (!pending.contains(row.host())) {
                    if (row.result().equals(HostTable.UNEXPECTED)) {
                        unexpected.add(row);
                    }
                    continue;
                }
                attempts.merge(row.host(), 1, Integer::sum);
                last.put(row.host(), row);
                if (row.ok()) {
                    passedAt.put(row.host(), at);
                }
            }
            pending.removeAll(passedAt.keySet());
            if (pending.isEmpty() || nanoTime.getAsLong() + interval.toNanos() - deadline >= 0) {
                break;
            }
            try {
                pause.pause(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting to ask " + pending.size() + " host(s) again", e);
            }
        }
        List<HostRecord> records = new ArrayList<>();
        for (String host : hosts) {
            HostTable.Row row = last.get(host);
            if (row == null) {
                // The call never listed it (it cannot happen with a well-behaved client); say so rather than drop it.
                row = new HostTable.Row(host, HostTable.NO_REPLY, "-", "", "never answered", "");
            }
            records.add(new HostRecord(host, attempts.getOrDefault(host, 0), passedAt.get(host), row));
        }
        return new Outcome(records, unexpected, made, calls, Duration.ofNanos(nanoTime.getAsLong() - start));
    }
}
