package io.drover.client;


import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Decides when one discovery may stop listening. A quiet window only counts when it is real:
 * <ul>
 *   <li>time this thread spent stalled (it woke long after it asked to, as in a GC pause that also froze the
 *       reply consumer) is not quiet time, so the window starts again;</li>
 *   <li>before ending, a flush marker is sent through the client's own reply queue; replies queued before it
 *       arrive before it, so a reply already at the broker or in the socket is never cut off.</li>
 * </ul>
 */
final class DiscoveryRound {
    /** Waking this much later than asked means the process was stalled. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(15);

    private final PendingRequest wait;
    private final QuietWindowPolicy policy;
    private final int expected;
    private final long deadline;
    private final Runnable flush;

    /**
     * @param expected how many nodes should answer, or -1 when unknown
     * @param deadline {@link System#nanoTime()} of the cap
     * @param flush    sends a flush marker through the reply queue
     */
    DiscoveryRound(PendingRequest wait, QuietWindowPolicy policy, int expected, long deadline, Runnable flush) {
        this.wait = wait;
        this.policy = policy;
        this.expected = expected;
        this.deadline = deadline;
        this.flush = flush;
    }

    Discovery.Ended await() throws InterruptedException {
        long askedToWake = -1;
        while (true) {
            long seen = wait.version();
            long now = System.nanoTime();
            if (askedToWake >= 0 && now - askedToWake > STALL_NANOS) {
                wait.stalled(now);
            }
            if (wait.read(PendingRequest::isNoRoute)) {
                return Discovery.Ended.NO_ROUTE;
            }
            if (now - deadline >= 0) {
                return Discovery.Ended.TIMEOUT;
            }
            long quietEnds = wait.read(p -> p.replyCount() == 0 ? Long.MAX_VALUE : p.quietSince() + window(p).toNanos());
            if (quietEnds != Long.MAX_VALUE && now - quietEnds >= 0 && enoughReplies()) {
                if (confirmQuiet()) {
                    return expected < 0 ? Discovery.Ended.QUIET : Discovery.Ended.EXPECTED_COUNT;
                }
                askedToWake = -1;
                continue;
            }
            // With a known size and too few replies, wait for the stragglers until the cap.
            askedToWake = quietEnds == Long.MAX_VALUE || !enoughReplies() ? deadline : Math.min(deadline, quietEnds);
            wait.awaitChange(seen, askedToWake);
        }
    }

    /**
     * Waits until every one of {@code hosts} answered, and the expected count if one is known (then ends at once, after one flush marker so replies already
     * on their way are counted too), the broker returned the broadcast (no node is connected), or the cap.
     */
    Discovery.Ended awaitHosts(java.util.Set<String> hosts) throws InterruptedException {
        wait.await(hosts);
        while (true) {
            long seen = wait.version();
            if (wait.read(PendingRequest::awaitedLeft) == 0 && enoughReplies()) {
                confirmQuiet();
                return Discovery.Ended.ALL_EXPECTED;
            }
            if (wait.read(PendingRequest::isNoRoute)) {
                return Discovery.Ended.NO_ROUTE;
            }
            if (System.nanoTime() - deadline >= 0) {
                return Discovery.Ended.TIMEOUT;
            }
            wait.awaitChange(seen, deadline);
        }
    }

    /** The quiet window now in force. */
    Duration window(PendingRequest p) {
        return policy.window(Duration.ofNanos(p.firstReplyAt() - p.publishedAt()), Duration.ofNanos(p.largestGap()),
                p.replyCount());
    }

    private boolean enoughReplies() {
        return expected < 0 || wait.read(PendingRequest::replyCount) >= expected;
    }

    /** Sends a flush marker and waits for it; quiet is confirmed if no reply came in the meantime. */
    private boolean confirmQuiet() throws InterruptedException {
        int replies = wait.read(PendingRequest::replyCount);
        int flushes = wait.read(PendingRequest::flushCount);
        flush.run();
        while (true) {
            long seen = wait.version();
            if (wait.read(p -> p.flushCount() != flushes) || System.nanoTime() - deadline >= 0) {
                break;
            }
            wait.awaitChange(seen, deadline);
        }
        return wait.read(PendingRequest::replyCount) == replies;
    }
}
