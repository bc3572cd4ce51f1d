package io.drover.client;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * Per-discovery settings.
 *
 * @param expectedCount how many nodes should answer, if known: discovery then waits for that many (up to the cap)
 *                      before a quiet window may end it, and still notices any extra node
 * @param timeout       hard cap, or {@code null} for the client's default
 */
public record DiscoveryOptions(OptionalInt expectedCount, Duration timeout) {
    public static DiscoveryOptions defaults() {
        return new DiscoveryOptions(OptionalInt.empty(), null);
    }

    public DiscoveryOptions expecting(int count) {
        return new DiscoveryOptions(OptionalInt.of(count), timeout);
    }

    public DiscoveryOptions withTimeout(Duration value) {
        return new DiscoveryOptions(expectedCount, value);
    }
}
