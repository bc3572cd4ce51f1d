package io.drover.client;

import io.drover.protocol.Reply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every answer to one call, by host: replies from expected hosts, expected hosts that never answered (and
 * why), and hosts that answered without being asked.
 *
 * @param requestId  the request's id
 * @param agent      agent called
 * @param action     action called
 * @param expected   hosts expected to answer (for a broadcast: those that did)
 * @param replies    replies of expected hosts, by host
 * @param missing    expected hosts without a reply, with the reason
 * @param unexpected replies of hosts that were not expected
 * @param duplicates extra replies from hosts that had already answered, ignored
 * @param elapsed    from publishing to the last reply or the timeout
 * @param connectionEvents     what happened to the runner's broker connection while the call waited, in order
 * @param repliesAfterRecovery replies received after the connection recovered (0 when it never was lost)
 * @param answeredAt when each reply in {@code replies} arrived, from publishing (the fleet report's timeline); a host
 *                   without an entry has no arrival time (a dry run's predicted answer)
 */
public record CallResult(String requestId, String agent, String action, SortedSet<String> expected,
                         SortedMap<String, Reply> replies, SortedMap<String, String> missing,
                         SortedMap<String, Reply> unexpected, int duplicates, Duration elapsed,
                         List<ConnectionEvent> connectionEvents, int repliesAfterRecovery,
                         SortedMap<String, Duration> answeredAt) {
    public CallResult {
        expected = Collections.unmodifiableSortedSet(new TreeSet<>(expected));
        replies = Collections.unmodifiableSortedMap(new TreeMap<>(replies));
        missing = Collections.unmodifiableSortedMap(new TreeMap<>(missing));
        unexpected = Collections.unmodifiableSortedMap(new TreeMap<>(unexpected));
        connectionEvents = List.copyOf(connectionEvents);
        answeredAt = Collections.unmodifiableSortedMap(new TreeMap<>(answeredAt));
    }

    /** How the reason of a host that was reachable but did not answer in time starts. */
    public static final String NO_REPLY_WITHIN = "no reply within ";

    /** A result of a call during which the broker connection had no trouble. */
    public CallResult(String requestId, String agent, String action, SortedSet<String> expected,
                      SortedMap<String, Reply> replies, SortedMap<String, String> missing,
                      SortedMap<String, Reply> unexpected, int duplicates, Duration elapsed) {
        this(requestId, agent, action, expected, replies, missing, unexpected, duplicates, elapsed, List.of(), 0, new TreeMap<>());
    }

    /** A result without arrival times of its replies. */
    public CallResult(String requestId, String agent, String action, SortedSet<String> expected,
                      SortedMap<String, Reply> replies, SortedMap<String, String> missing,
                      SortedMap<String, Reply> unexpected, int duplicates, Duration elapsed,
                      List<ConnectionEvent> connectionEvents, int repliesAfterRecovery) {
        this(requestId, agent, action, expected, replies, missing, unexpected, duplicates, elapsed, connectionEvents,
                repliesAfterRecovery, new TreeMap<>());
    }

    /**
     * What happened to the runner's broker connection during the call, in one sentence for a step's message,
     * e.g. "the runner lost its broker connection at 2.1 s (connection reset) and recovered at 6.3 s; 3 replies
     * were received after it recovered"; {@code ""} when nothing did.
     */
    public String connectionSummary() {
        List<String> parts = new ArrayList<>();
        ConnectionEvent lost = null;
        ConnectionEvent blocked = null;
        boolean recovered = false;
        for (ConnectionEvent event : connectionEvents) {
            switch (event.kind()) {
                case LOST -> {
                    if (blocked != null) {
                        // A new connection starts unblocked.
                        parts.add(blocked(blocked, "kept it blocked until the connection was lost " + when(event)));
                        blocked = null;
                    }
                    lost = lost != null ? lost : event;
                }
                case RECOVERED -> {
                    recovered = true;
                    parts.add(lost(lost, "recovered " + when(event)));
                    lost = null;
                }
                case BLOCKED -> blocked = blocked != null ? blocked : event;
                case UNBLOCKED -> {
                    parts.add(blocked == null ? "the broker unblocked the runner's publishing " + when(event)
                            : blocked(blocked, "unblocked it " + when(event)));
                    blocked = null;
                }
            }
        }
        if (lost != null) {
            parts.add(lost(lost, "had not recovered when the call ended at " + seconds(elapsed)));
        }
        if (blocked != null) {
            parts.add(blocked(blocked, "still blocked it when the call ended at " + seconds(elapsed)));
        }
        if (recovered) {
            parts.add(repliesAfterRecovery == 1 ? "1 reply was received after it recovered"
                    : repliesAfterRecovery + " replies were received after it recovered");
        }
        return String.join("; ", parts);
    }

    private static String lost(ConnectionEvent lost, String end) {
        if (lost == null) {
            return "the runner's broker connection " + end;
        }
        return "the runner lost its broker connection " + when(lost) + cause(lost) + " and " + end;
    }

    private static String blocked(ConnectionEvent blocked, String end) {
        return "the broker blocked publishing " + when(blocked) + cause(blocked)
                + ", a memory or disk alarm that holds back every publisher, agents' replies too, and " + end;
    }

    private static String cause(ConnectionEvent event) {
        return event.detail().isBlank() ? "" : " (" + event.detail().strip() + ")";
    }

    private static String when(ConnectionEvent event) {
        return event.at().isNegative() ? "before the call started" : "at " + seconds(event.at());
    }

    /** A duration as "30 s" or "2.1 s", as step messages show times. */
    public static String seconds(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** True when every expected host answered OK and nobody else answered. */
    public boolean allOk() {
        return missing.isEmpty() && unexpected.isEmpty() && replies.values().stream().allMatch(Reply::isOk);
    }

    /** Replies that were not OK, by host. */
    public Map<String, Reply> failures() {
        Map<String, Reply> failed = new LinkedHashMap<>();
        replies.forEach((host, reply) -> {
            if (!reply.isOk()) {
                failed.put(host, reply);
            }
        });
        return failed;
    }

    /** Hosts whose reply was OK and reported {@code changed=true}. */
    public SortedSet<String> changed() {
        SortedSet<String> changed = new TreeSet<>();
        replies.forEach((host, reply) -> {
            if (reply.isOk() && reply.changed()) {
                changed.add(host);
            }
        });
        return changed;
    }

    public String qualifiedAction() {
        return agent + "." + action;
    }
}
