package io.drover.client;

import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiscoveryRoundTest {
    private static final QuietWindowPolicy TWENTY_MS = QuietWindowPolicy.fixed(Duration.ofMillis(20));

    private static Reply reply(String sender) {
        return new Reply("0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10", sender, "rpcutil", "ping", Status.OK, "pong", Map.of(), 0);
    }

    private static long in(Duration duration) {
        return System.nanoTime() + duration.toNanos();
    }

    @Test
    void aReplyQueuedBeforeTheFlushMarkerKeepsDiscoveryGoing() throws Exception {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        wait.accept(reply("a"));
        AtomicInteger flushes = new AtomicInteger();
        DiscoveryRound round = new DiscoveryRound(wait, TWENTY_MS, -1, in(Duration.ofSeconds(2)), () -> {
            if (flushes.incrementAndGet() == 1) {
                wait.accept(reply("b"));   // was already queued: arrives before the marker
            }
            wait.flushed();
        });
        assertEquals(Discovery.Ended.QUIET, round.await());
        assertEquals(2, wait.read(PendingRequest::replyCount));
        assertEquals(2, flushes.get(), "the quiet spell after b is confirmed by a second marker");
    }

    @Test
    void aReplyStillBeingCheckedWhenTheFlushMarkerArrivesIsNotCutOff() throws Exception {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        wait.accept(reply("a"));
        AtomicInteger flushes = new AtomicInteger();
        java.util.concurrent.ExecutorService checker = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            DiscoveryRound round = new DiscoveryRound(wait, TWENTY_MS, -1, in(Duration.ofSeconds(2)), () -> {
                if (flushes.incrementAndGet() == 1) {
                    // b was delivered before the marker and handed to a checker, which takes it only later
                    wait.checking();
                    checker.submit(() -> {
                        sleep(100);
                        wait.accept(reply("b"));
                        wait.checked();
                    });
                }
                wait.flushed();
            });
            assertEquals(Discovery.Ended.QUIET, round.await());
        } finally {
            checker.shutdownNow();
        }
        assertEquals(2, wait.read(PendingRequest::replyCount), "b counts though its check ended after the marker arrived");
        assertEquals(2, flushes.get(), "the quiet spell after b is confirmed by a second marker");
    }

    @Test
    void aFlushMarkerCountsOnlyOnceEveryReplyDeliveredBeforeItWasChecked() {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        wait.checking();
        wait.checking();
        wait.flushed();
        assertEquals(0, wait.read(PendingRequest::flushCount));
        wait.checked();
        assertEquals(0, wait.read(PendingRequest::flushCount));
        wait.checked();
        assertEquals(1, wait.read(PendingRequest::flushCount));
        wait.flushed();
        assertEquals(2, wait.read(PendingRequest::flushCount), "with nothing being checked a marker counts at once");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void withAnExpectedCountTooFewRepliesWaitForTheCap() throws Exception {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        wait.accept(reply("a"));
        long started = System.nanoTime();
        DiscoveryRound round = new DiscoveryRound(wait, TWENTY_MS, 2, in(Duration.ofMillis(300)), wait::flushed);
        assertEquals(Discovery.Ended.TIMEOUT, round.await());
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(290).toNanos());
    }

    @Test
    void withAnExpectedCountReachedTheQuietWindowStillRuns() throws Exception {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        wait.accept(reply("a"));
        wait.accept(reply("b"));
        DiscoveryRound round = new DiscoveryRound(wait, TWENTY_MS, 2, in(Duration.ofSeconds(2)), wait::flushed);
        assertEquals(Discovery.Ended.EXPECTED_COUNT, round.await());
    }

    @Test
    void aChangeBetweenLookingAndWaitingIsNeverSleptThrough() throws Exception {
        // The call's reply arrives after the waiter looked but before it waits: it must not sleep to the deadline.
        PendingRequest wait = new PendingRequest(java.util.Set.of("a"), System.nanoTime());
        long seen = wait.version();
        wait.accept(reply("a"));
        long started = System.nanoTime();
        wait.awaitChange(seen, in(Duration.ofSeconds(5)));
        assertTrue(System.nanoTime() - started < Duration.ofMillis(500).toNanos(), "woke at once");
        assertTrue(wait.read(PendingRequest::complete));
    }

    @Test
    void stalledTimeDoesNotCountAsQuiet() {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        wait.accept(reply("a"));
        long last = wait.read(PendingRequest::quietSince);
        long later = last + Duration.ofMillis(500).toNanos();
        wait.stalled(later);
        assertEquals(later, (long) wait.read(PendingRequest::quietSince));
    }

    @Test
    void noReplyAtAllWaitsForTheCap() throws Exception {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        DiscoveryRound round = new DiscoveryRound(wait, TWENTY_MS, -1, in(Duration.ofMillis(150)), wait::flushed);
        assertEquals(Discovery.Ended.TIMEOUT, round.await());
    }

    @Test
    void adaptivePolicyGrowsWithTheLargestGapAndForFewRepliesWithTheFirstReply() {
        QuietWindowPolicy policy = QuietWindowPolicy.adaptive(Duration.ofMillis(50), Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(50), policy.window(Duration.ofMillis(5), Duration.ofMillis(1), 10));
        assertEquals(Duration.ofMillis(200), policy.window(Duration.ofMillis(100), Duration.ofMillis(1), 3),
                "few replies: nodes three times slower than the first still make it");
        assertEquals(Duration.ofMillis(50), policy.window(Duration.ofMillis(100), Duration.ofMillis(1), 500),
                "many replies: the stream's own gaps decide");
        assertEquals(Duration.ofMillis(300), policy.window(Duration.ofMillis(5), Duration.ofMillis(100), 500));
        assertEquals(Duration.ofSeconds(1), policy.window(Duration.ofSeconds(3), Duration.ZERO, 1));
    }
}
