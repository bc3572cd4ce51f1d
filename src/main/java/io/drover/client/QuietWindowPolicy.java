package io.drover.client;

import java.time.Duration;

/**
 * Decides when discovery may stop listening: how long to wait after the latest reply before concluding that
 * no more nodes will answer. The discovery timeout stays the hard cap either way.
 */
@FunctionalInterface
public interface QuietWindowPolicy {
    /** Below this many replies, the first reply's latency also stretches the adaptive window. */
    int FEW = 8;

    /**
     * @param firstReply time from publishing the discovery request to the first reply
     * @param largestGap largest gap between two consecutive replies so far
     * @param replies    replies so far
     * @return how long to wait after the latest reply
     */
    Duration window(Duration firstReply, Duration largestGap, int replies);

    /**
     * The default: the larger of {@code minimum} and three times the largest gap between replies seen so far,
     * never above {@code maximum}. While fewer than {@value #FEW} nodes have answered, also twice the first
     * reply's latency, so nodes three times slower than the fastest still make it; once replies stream in, their
     * own gaps are the better evidence (with thousands of nodes the first reply waits for the broker's fan-out,
     * not for a slow node).
     */
    static QuietWindowPolicy adaptive(Duration minimum, Duration maximum) {
        return (firstReply, largestGap, replies) -> {
            long nanos = Math.max(minimum.toNanos(), 3 * largestGap.toNanos());
            if (replies < FEW) {
                nanos = Math.max(nanos, 2 * firstReply.toNanos());
            }
            return Duration.ofNanos(Math.min(nanos, maximum.toNanos()));
        };
    }

    /** Always the same window, as Choria's experimental discovery did with 300 ms. */
    static QuietWindowPolicy fixed(Duration window) {
        return (firstReply, largestGap, replies) -> window;
    }
}
