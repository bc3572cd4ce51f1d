package io.drover.agent;

import io.drover.protocol.Request;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How long a request may still wait before its action starts: until {@code created + ttl} on the node's clock,
 * the same limit {@link ReplayGuard} admits it by. Its caller stops waiting then, so an action that started
 * later would change a host behind the back of an operator who was told it did not.
 */
final class Deadline {
    private final Request request;
    private final Clock clock;
    private final long startedNanos = System.nanoTime();

    Deadline(Request request, Clock clock) {
        this.request = request;
        this.clock = clock;
    }

    /** Takes {@code lock}, waiting at most until the request expires; false when it expired first. */
    boolean acquire(ReentrantLock lock) throws InterruptedException {
        long remaining = request.expiresAt() - clock.millis();
        return lock.tryLock(Math.max(0, remaining), TimeUnit.MILLISECONDS);
    }

    boolean expired() {
        return clock.millis() > request.expiresAt();
    }

    /** Why a request that waited for {@code what} is refused. */
    String expiredWhileWaitingFor(String what) {
        return "expired while waiting for " + what + " (waited " + seconds(System.nanoTime() - startedNanos)
                + " s; ttl " + request.ttl() + " s)";
    }

    String expiredBeforeStart() {
        return "expired before the action could start (ttl " + request.ttl() + " s)";
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
