package io.drover.client;

import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * Per-discovery settings.
 *
 * @param expectedCount how many nodes should answer, if known: discovery then waits for that many (up to the cap)
 *                      before a quiet window may end it, and still notices any extra node
 * @param timeout       hard cap, or {@code null} for the client's default
 * @param expectedHosts the hosts that must answer, from a host list, instead of the registry; or {@code null}
 * @param hostsSource   where {@code expectedHosts} came from, for messages (e.g. the file name)
 */
public record DiscoveryOptions(OptionalInt expectedCount, Duration timeout, SortedSet<String> expectedHosts, String hostsSource) {
    public DiscoveryOptions {
        expectedHosts = expectedHosts == null ? null : Collections.unmodifiableSortedSet(new TreeSet<>(expectedHosts));
    }

    public static DiscoveryOptions defaults() {
        return new DiscoveryOptions(OptionalInt.empty(), null, null, null);
    }

    public DiscoveryOptions expecting(int count) {
        return new DiscoveryOptions(OptionalInt.of(count), timeout, expectedHosts, hostsSource);
    }

    public DiscoveryOptions withTimeout(Duration value) {
        return new DiscoveryOptions(expectedCount, value, expectedHosts, hostsSource);
    }

    /** These hosts, and no others, must answer; the registry is not consulted. */
    public DiscoveryOptions expectingHosts(Set<String> hosts, String source) {
        return new DiscoveryOptions(expectedCount, timeout, new TreeSet<>(hosts), source);
    }
}
