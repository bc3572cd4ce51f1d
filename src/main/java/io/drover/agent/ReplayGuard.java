package io.drover.agent;

import io.drover.protocol.Request;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses requests outside their validity window and request ids already seen. The agent, not the broker,
 * enforces the TTL: RabbitMQ and Qpid read AMQP's {@code expiration} differently. The window is
 * {@code [created - clock_skew, created + ttl + clock_skew]} on this node's clock, so a node whose clock is off
 * by up to the skew either way still answers, even a 2 s discovery ping. An id is remembered until the end of
 * that window, after which the window check alone refuses it.
 */
final class ReplayGuard {
    static final int MAX_REMEMBERED = 200_000;
    private static final long PURGE_INTERVAL_MS = 5_000;
    private static final String FIX_CLOCKS = "synchronise the clocks (NTP, chrony: timedatectl set-ntp true) or raise clock_skew "
            + "in this node's agent.yaml";

    private final Map<String, Long> seen = new ConcurrentHashMap<>(8);
    private volatile long nextPurge;

    /**
     * Admits a request: returns {@code null} and remembers its id, or returns why it is refused.
     *
     * @param now       the agent's clock, epoch ms
     * @param clockSkew how far this node's clock may be from the caller's, either way
     */
    String admit(Request request, long now, Duration clockSkew) {
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
        purgeIfDue(now);
        Long firstSeen = seen.putIfAbsent(request.id(), validUntil);
        if (firstSeen != null) {
            return "request id " + request.id() + " was already received; replays are refused";
        }
        if (seen.size() > MAX_REMEMBERED) {
            seen.remove(request.id());
            return "too many requests in flight to remember them all (" + MAX_REMEMBERED + "); try again shortly";
        }
        return null;
    }

    int size() {
        return seen.size();
    }

    private void purgeIfDue(long now) {
        if (now < nextPurge && seen.size() < MAX_REMEMBERED) {
            return;
        }
        nextPurge = now + PURGE_INTERVAL_MS;
        for (Iterator<Long> it = seen.values().iterator(); it.hasNext(); ) {
            if (it.next() < now) {
                it.remove();
            }
        }
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
    }
}
