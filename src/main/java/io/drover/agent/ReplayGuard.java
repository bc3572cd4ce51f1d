package io.drover.agent;

import io.drover.protocol.Request;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Refuses requests outside their validity window, request ids already seen, and requests created before this node
 * began serving. The agent, not the broker, enforces the TTL: RabbitMQ and Qpid read AMQP's {@code expiration}
 * differently. The window is {@code [created - clock_skew, created + ttl + clock_skew]} on this node's clock, so a
 * node whose clock is off by up to the skew either way still answers, even a 2 s discovery ping.
 *
 * <p>An id is remembered until the end of that window, after which the window check alone refuses it. Only
 * requests that passed the signature check and the policy are remembered ({@link #remember}), each caller in a
 * share of its own: a caller can fill only its own share, never lock others out.
 *
 * <p>The ids live in memory, so they do not survive a restart; the serving cutoff covers that instead. A node's
 * queue exists only while the node serves it, so no request sent to it before it (re)declared that queue could
 * have reached it: a request created earlier is a replay, or was queued while the node was away and its caller
 * was told so. See docs/security.md.
 */
final class ReplayGuard {
    /** Ids remembered per caller: far above what one runner sends within a request's validity. */
    static final int SHARE_PER_CALLER = 50_000;
    /** Distinct callers remembered: only trusted callers pass the signature check, so this binds unsigned labs. */
    static final int MAX_CALLERS = 1_000;
    private static final long PURGE_INTERVAL_MS = 5_000;
    /** How often a caller whose share is full may make the guard look for expired ids: it costs a pass over them all. */
    private static final long FULL_PURGE_INTERVAL_MS = 200;
    private static final String FIX_CLOCKS = "synchronise the clocks (NTP, chrony: timedatectl set-ntp true) or raise clock_skew "
            + "in this node's agent.yaml";

    private final int share;
    private final int maxCallers;
    private final Map<String, Share> seen = new ConcurrentHashMap<>(8);
    /** When this node last began serving each collective (declared its queue), by its own clock. */
    private final Map<String, Long> servingSince = new ConcurrentHashMap<>(2);
    private volatile long nextPurge;

    /** One caller's remembered ids and their end of validity. */
    private static final class Share {
        final Map<String, Long> ids = new ConcurrentHashMap<>(16);
        final AtomicInteger size = new AtomicInteger();
    }

    ReplayGuard() {
        this(SHARE_PER_CALLER, MAX_CALLERS);
    }

    ReplayGuard(int share, int maxCallers) {
        this.share = share;
        this.maxCallers = maxCallers;
    }

    /**
     * Admits a request: checks it, then remembers its id; returns {@code null}, or why it is refused. For callers
     * with no policy or signature checks in between.
     */
    String admit(Request request, long now, Duration clockSkew) {
        String refusal = check(request, now, clockSkew);
        return refusal != null ? refusal : remember(request, now, clockSkew);
    }

    /**
     * Why {@code request} is stale or a replay, or {@code null}; remembers nothing, so a request refused later (by
     * its signature, the policy) takes no room.
     *
     * @param now       the agent's clock, epoch ms
     * @param clockSkew how far this node's clock may be from the caller's, either way
     */
    String check(Request request, long now, Duration clockSkew) {
        long skewMs = clockSkew.toMillis();
        long age = now - request.created();
        if (-age > skewMs) {
            return "request created " + seconds(-age) + " s in the future by this node's clock, more than the allowed clock skew of "
                    + clockSkew.toSeconds() + " s: this node's clock is about " + seconds(-age) + " s behind the caller's; "
                    + FIX_CLOCKS;
        }
        long validUntil = request.expiresAt() + skewMs;
        if (now > validUntil) {
            return "request expired " + seconds(now - validUntil) + " s ago (created " + seconds(age) + " s ago by this node's clock; ttl "
                    + request.ttl() + " s plus the allowed clock skew of " + clockSkew.toSeconds() + " s): if this node's clock is "
                    + "ahead of the caller's, " + FIX_CLOCKS + "; if the request waited that long, give steps more time";
        }
        Share known = seen.get(request.caller());
        if (known != null && known.ids.containsKey(request.id())) {
            return replay(request);
        }
        return null;
    }

    /**
     * Remembers the id of a request that passed {@link #check}, its signature and the policy; returns {@code null},
     * or why it is refused: the same id arrived meanwhile, or its caller's share is full.
     */
    String remember(Request request, long now, Duration clockSkew) {
        purgeIfDue(now, false);
        String refusal = rememberOnce(request, now, clockSkew);
        if (refusal != null && refusal.startsWith("caller ")) {
            // A full share frees room as soon as its ids expire, not at the next regular purge.
            purgeIfDue(now, true);
            refusal = rememberOnce(request, now, clockSkew);
        }
        return refusal;
    }

    private String rememberOnce(Request request, long now, Duration clockSkew) {
        String[] refusal = new String[1];
        // Per caller under the map's lock for that caller, so a purge never drops a share being added to.
        seen.compute(request.caller(), (caller, mine) -> {
            if (mine == null) {
                if (seen.size() >= maxCallers) {
                    refusal[0] = "too many distinct callers (" + maxCallers + ") to remember their requests; with signed requests "
                            + "only trusted callers get here: turn signature checks on (trusted_callers in agent.yaml)";
                    return null;
                }
                mine = new Share();
            }
            if (mine.size.get() >= share) {
                refusal[0] = "caller " + caller + " has " + share + " requests still valid on this node, as many as it may have; "
                        + "it can send more once they expire (shorter ttl, fewer requests); other callers are not affected";
            } else if (mine.ids.putIfAbsent(request.id(), request.expiresAt() + clockSkew.toMillis()) != null) {
                refusal[0] = replay(request);
            } else {
                mine.size.incrementAndGet();
            }
            return mine;
        });
        return refusal[0];
    }

    /** Marks the moment this node (re)declares its queue in {@code collective}; call before declaring. */
    void serving(String collective, long now) {
        servingSince.put(collective, now);
    }

    /**
     * Why {@code request} was created too long before this node began serving its collective, or {@code null}.
     *
     * @param allowance how much earlier it may be dated: zero for actions that change the host, the clock skew for
     *                  read-only ones (a node whose clock is ahead must still answer right after it connects)
     */
    String createdBeforeServing(Request request, Duration allowance) {
        Long since = servingSince.get(request.collective());
        if (since == null || request.created() >= since - allowance.toMillis()) {
            return null;
        }
        return "request created " + seconds(since - request.created()) + " s before this node began serving (at "
                + Instant.ofEpochMilli(since) + " by its clock, when it (re)connected to the broker): it cannot have been sent "
                + "to this node while it was serving, so it is a replay or was queued while the node was away, and it was not "
                + "run; send it again (if this node's clock is ahead of the caller's, " + FIX_CLOCKS + ")";
    }

    int size() {
        int size = 0;
        for (Share each : seen.values()) {
            size += each.size.get();
        }
        return size;
    }

    private static String replay(Request request) {
        return "request id " + request.id() + " was already received; replays are refused";
    }

    private void purgeIfDue(long now, boolean full) {
        if (now < (full ? nextPurge - PURGE_INTERVAL_MS + FULL_PURGE_INTERVAL_MS : nextPurge)) {
            return;
        }
        nextPurge = now + PURGE_INTERVAL_MS;
        for (String caller : seen.keySet()) {
            seen.computeIfPresent(caller, (key, share) -> {
                for (Iterator<Long> it = share.ids.values().iterator(); it.hasNext(); ) {
                    if (it.next() < now) {
                        it.remove();
                        share.size.decrementAndGet();
                    }
                }
                return share.size.get() == 0 ? null : share;
            });
        }
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
    }
}
