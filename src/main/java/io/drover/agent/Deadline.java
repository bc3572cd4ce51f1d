package io.drover.agent;

import io.drover.protocol.Request;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How long a request may still wait before its action starts. An action that changes the host may start only
 * until {@code created + ttl} on the node's clock: its caller stops waiting then, so an action that started later
 * would change a host behind the back of an operator who was told it did not. A read-only action may answer up to
 * the allowed clock skew later (the window {@link ReplayGuard} admits by), so a node whose clock runs ahead
 * still answers discovery; a late answer harms nothing, the runner shows it as late.
 */
final class Deadline {
    private final Request request;
    private final Clock clock;
    private final long startedNanos = System.nanoTime();
    private final long limit;

    /**
     * @param grace added to {@code created + ttl}: zero for actions that change the host, the clock skew for
     *              read-only ones
     */
    Deadline(Request request, Clock clock, Duration grace) {
        this.request = request;
        this.clock = clock;
        this.limit = request.expiresAt() + grace.toMillis();
    }

    /** Takes {@code lock}, waiting at most until the request expires; false when it expired first. */
    boolean acquire(ReentrantLock lock) throws InterruptedException {
        long remaining = limit - clock.millis();
        return lock.tryLock(Math.max(0, remaining), TimeUnit.MILLISECONDS);
    }

    boolean expired() {
        return clock.millis() > limit;
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
