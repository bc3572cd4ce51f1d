package io.drover.lock;

import java.time.Duration;
import java.time.Instant;

/** Another run holds the deploy lock of a host this run wants; nothing was locked. */
public final class LockedException extends Exception {
    private final String host;
    private final transient LockHolder holder;

    LockedException(String host, LockHolder holder, int hosts, Duration waited, Instant now) {
        super(message(host, holder, hosts, waited, now));
        this.host = host;
        this.holder = holder;
    }

    private static String message(String host, LockHolder holder, int hosts, Duration waited, Instant now) {
        String which = DeployLocks.UNKNOWN_HOST.equals(host) ? "one of the " + hosts + " hosts discovered"
                : host + (hosts > 1 ? " (one of the " + hosts + " hosts discovered)" : "");
        return "Another deploy holds " + which + ": "
                + (holder == null ? "it did not say who it is (a runner older than this one, or it has only just taken the lock)"
                : holder.describe(now))
                + (waited.isZero() ? "" : "; waited " + waited.toSeconds() + " s for it to finish") + ".";
    }

    /** The first host found locked, or {@code "one of them"} when the broker did not say which. */
    public String host() {
        return host;
    }

    /** Who holds it, or {@code null} when it did not say. */
    public LockHolder holder() {
        return holder;
    }
}
