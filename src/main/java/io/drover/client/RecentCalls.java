package io.drover.client;

import io.drover.protocol.Reply;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calls that ended recently, so a reply arriving after its call gave up is attributed to it: which action,
 * which hosts were still missing, when it started. Bounded twice: at most {@link #MAX_CALLS} calls, none older
 * than {@link #MAX_AGE}, and at most {@link #MAX_LATE} late replies kept. Thread-safe.
 */
final class RecentCalls {
    static final int MAX_CALLS = 1_000;
    static final Duration MAX_AGE = Duration.ofMinutes(10);
    static final int MAX_LATE = 1_000;

    /** A call that gave up on {@code missing} hosts; {@code digests}: what was sent to each, to check late replies against. */
    private record Ended(String action, long startedAt, long endedAt, Set<String> missing, Map<String, String> digests) {
    }

    private final LinkedHashMap<String, Ended> calls = new LinkedHashMap<>();
    private final Deque<LateReply> late = new ArrayDeque<>();

    /** A call ended with {@code missing} hosts not answered; {@code startedAt} and {@code endedAt} are nanoTime. */
    synchronized void ended(String requestId, String action, long startedAt, long endedAt, Set<String> missing) {
        ended(requestId, action, startedAt, endedAt, missing, Map.of());
    }

    /** As above, with the digest of the request each missing host was sent (a late reply must answer exactly that). */
    synchronized void ended(String requestId, String action, long startedAt, long endedAt, Set<String> missing,
                            Map<String, String> digests) {
        prune(endedAt);
        if (missing.isEmpty()) {
            return;
        }
        calls.put(requestId, new Ended(action, startedAt, endedAt, new HashSet<>(missing), Map.copyOf(digests)));
        if (calls.size() > MAX_CALLS) {
            Iterator<String> eldest = calls.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /**
     * A reply nobody waits for arrived at {@code now}: the late reply when it answers a recent call for a host that
     * call was missing (once per host), else {@code null} (a duplicate, or a call too old or unknown).
     */
    synchronized LateReply late(Reply reply, long now) {
        prune(now);
        Ended call = calls.get(reply.requestId());
        if (call == null || !call.missing().remove(reply.sender())) {
            return null;
        }
        LateReply record = new LateReply(reply.requestId(), call.action(), reply, Duration.ofNanos(now - call.startedAt()));
        late.addLast(record);
        if (late.size() > MAX_LATE) {
            late.removeFirst();
        }
        return record;
    }

    /**
     * Whether {@code reply} answers a recent call that gave up on its sender, and the digest of what that sender
     * was sent (empty when not recorded); {@code null} when the call or the host is not one waited for.
     */
    synchronized String awaitedDigest(Reply reply, long now) {
        prune(now);
        Ended call = calls.get(reply.requestId());
        if (call == null || !call.missing().contains(reply.sender())) {
            return null;
        }
        return call.digests().getOrDefault(reply.sender(), "");
    }

    /** Late replies received so far (the most recent {@link #MAX_LATE}), oldest first. */
    synchronized List<LateReply> lateReplies() {
        return List.copyOf(late);
    }

    private void prune(long now) {
        long maxAge = MAX_AGE.toNanos();
        for (Iterator<Map.Entry<String, Ended>> it = calls.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().endedAt() > maxAge) {
                it.remove();
            } else {
                break; // in order of ending
            }
        }
    }
}
