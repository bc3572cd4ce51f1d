package io.drover.client;

import java.time.Duration;

/**
 * Decides when discovery may stop listening: how long to wait after the latest reply before concluding that
 * no more nodes will answer. The discovery timeout stays the hard cap either way.
 */
@FunctionalInterface
public interface QuietWindowPolicy {
    /**
     * @param firstReply time from publishing the discovery request to the first reply
     * @param largestGap largest gap between two consecutive replies so far
     * @param replies    replies so far
     * @return how long to wait after the latest reply
     */
    Duration window(Duration firstReply, Duration largestGap, int replies);

    /**
     * The default: the larger of {@code minimum}, twice the first reply's latency (nodes up to three times
     * slower than the fastest still make it) and four times the largest gap seen, never above {@code maximum}.
     */
    static QuietWindowPolicy adaptive(Duration minimum, Duration maximum) {
        return (firstReply, largestGap, replies) -> {
            long nanos = Math.max(minimum.toNanos(), Math.max(2 * firstReply.toNanos(), 4 * largestGap.toNanos()));
            return Duration.ofNanos(Math.min(nanos, maximum.toNanos()));
        };
    }

    /** Always the same window, as Choria's experimental discovery did with 300 ms. */
    static QuietWindowPolicy fixed(Duration window) {
        return (firstReply, largestGap, replies) -> window;
    }
}
