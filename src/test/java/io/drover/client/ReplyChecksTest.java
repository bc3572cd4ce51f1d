package io.drover.client;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyChecksTest {
    @Test
    void aFullQueueMakesTheCallerCheckNothingIsDropped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger done = new AtomicInteger();
        Set<String> callerThreads = ConcurrentHashMap.newKeySet();
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        try (ReplyChecks checks = new ReplyChecks(1)) {
            checks.submit(wait, () -> await(release)); // holds the one checker
            int submitted = ReplyChecks.QUEUE + 5;
            String caller = Thread.currentThread().getName();
            for (int i = 0; i < submitted; i++) {
                checks.submit(wait, () -> {
                    if (Thread.currentThread().getName().equals(caller)) {
                        callerThreads.add(caller);
                    }
                    done.incrementAndGet();
                });
            }
            assertEquals(Set.of(caller), callerThreads, "beyond the queue the delivery thread checked replies itself");
            release.countDown();
            wait.flushed();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (wait.read(PendingRequest::flushCount) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(submitted, done.get());
            assertEquals(1, wait.read(PendingRequest::flushCount), "the marker counted once every check ended");
        }
    }

    @Test
    void aCheckThatThrowsStillEndsAndAClosedPoolChecksOnTheCaller() throws Exception {
        PendingRequest wait = new PendingRequest(null, System.nanoTime());
        ReplyChecks checks = new ReplyChecks(2);
        checks.submit(wait, () -> {
            throw new IllegalStateException("a bug in a check");
        });
        wait.flushed();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (wait.read(PendingRequest::flushCount) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, wait.read(PendingRequest::flushCount), "the failed check does not hold the marker forever");
        checks.close();
        AtomicInteger ran = new AtomicInteger();
        checks.submit(wait, ran::incrementAndGet);
        assertEquals(1, ran.get(), "after close a reply is checked at once on the caller, not lost");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
