package io.drover.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How discovery uses the fleet registry, where agents register themselves: when it is on (the default), every
 * registered node that matches the filter must answer discovery, and discovery ends as soon as they all did.
 *
 * @param enabled      cross-check discovery against the registry
 * @param retireAfter  nodes silent for longer are retired from the registry (logged), never silently skipped before
 * @param lockWait     how long to wait for another runner reading the registry
 * @param refreshAfter how long a client's live view of the registry serves discoveries before one reads the registry
 *                     whole again (which also compacts it for every runner); see {@code io.drover.fleet.RegistryView}
 */
public record RegistryOptions(boolean enabled, Duration retireAfter, Duration lockWait, Duration refreshAfter) {
    public static final Duration DEFAULT_RETIRE_AFTER = Duration.ofDays(7);
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REFRESH_AFTER = Duration.ofMinutes(5);

    public RegistryOptions {
        Objects.requireNonNull(retireAfter, "retireAfter");
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(refreshAfter, "refreshAfter");
        if (retireAfter.isNegative() || retireAfter.isZero()) {
            throw new IllegalArgumentException("retireAfter must be positive");
        }
        if (refreshAfter.isNegative() || refreshAfter.isZero()) {
            throw new IllegalArgumentException("refreshAfter must be positive");
        }
    }

    public RegistryOptions(boolean enabled, Duration retireAfter, Duration lockWait) {
        this(enabled, retireAfter, lockWait, DEFAULT_REFRESH_AFTER);
    }

    /** On, retiring nodes after 7 days of silence. */
    public static RegistryOptions defaults() {
        return new RegistryOptions(true, DEFAULT_RETIRE_AFTER, DEFAULT_LOCK_WAIT, DEFAULT_REFRESH_AFTER);
    }

    /** Off: discovery trusts whoever answers the broadcast within the quiet window (not recommended). */
    public static RegistryOptions off() {
        return new RegistryOptions(false, DEFAULT_RETIRE_AFTER, DEFAULT_LOCK_WAIT, DEFAULT_REFRESH_AFTER);
    }

    public RegistryOptions withRetireAfter(Duration value) {
        return new RegistryOptions(enabled, value, lockWait, refreshAfter);
    }

    public RegistryOptions withRefreshAfter(Duration value) {
        return new RegistryOptions(enabled, retireAfter, lockWait, value);
    }
}
