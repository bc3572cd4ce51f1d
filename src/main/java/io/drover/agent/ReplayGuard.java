package io.drover.agent;

import io.drover.protocol.Request;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses requests outside their validity window and request ids already seen. The agent, not the broker,
 * enforces the TTL: RabbitMQ and Qpid read AMQP's {@code expiration} differently. An id is remembered until
 * its request expires, after which the TTL check alone refuses it.
 */
final class ReplayGuard {
    static final int MAX_REMEMBERED = 200_000;
    private static final long PURGE_INTERVAL_MS = 5_000;

    private final Map<String, Long> seen = new ConcurrentHashMap<>(8);
    private volatile long nextPurge;

    /**
     * Admits a request: returns {@code null} and remembers its id, or returns why it is refused.
     *
     * @param now       the agent's clock, epoch ms
     * @param clockSkew how far in the future {@code created} may be
     */
    String admit(Request request, long now, Duration clockSkew) {
        long skewMs = clockSkew.toMillis();
        if (request.created() - now > skewMs) {
            return "request created " + seconds(request.created() - now) + " s in the future; more than the allowed clock skew of "
                    + clockSkew.toSeconds() + " s (check the clocks of the caller and this node)";
        }
        if (now > request.expiresAt()) {
            return "request expired " + seconds(now - request.expiresAt()) + " s ago (ttl " + request.ttl()
                    + " s); check clocks, or give steps more time";
        }
        purgeIfDue(now);
        Long firstSeen = seen.putIfAbsent(request.id(), request.expiresAt() + skewMs);
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
