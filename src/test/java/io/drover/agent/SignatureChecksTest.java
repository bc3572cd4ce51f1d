package io.drover.agent;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignatureChecksTest {
    @Test
    void theNewestWaitingCheckRunsFirstAndTheOldestBeyondTheBacklogAreDropped() throws Exception {
        SignatureChecks checks = new SignatureChecks("test", 1, 3);
        try {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> ran = new CopyOnWriteArrayList<>();
            checks.submit(() -> {
                blocked.countDown();
                await(release);
            });
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            CountDownLatch done = new CountDownLatch(3);
            for (int i = 1; i <= 5; i++) {
                int n = i;
                checks.submit(() -> {
                    ran.add(n);
                    done.countDown();
                });
            }
            assertEquals(2, checks.dropped(), "1 and 2 were the oldest beyond a backlog of 3");
            release.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(5, 4, 3), ran);
        } finally {
            checks.close();
        }
    }

    @Test
    void deliveriesOfOneRequestWaitForOneCheckAndTakeOneSlotOfTheBacklog() throws Exception {
        // The emulator: one request reaches thousands of nodes of one host at once; they once filled the backlog and
        // the oldest were dropped, so hundreds of nodes never answered a step.
        SignatureChecks checks = new SignatureChecks("test", 1, 2);
        try {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            checks.submit(() -> {
                blocked.countDown();
                await(release);
            });
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
            int deliveries = 5_000;
            CountDownLatch answered = new CountDownLatch(deliveries);
            Object request = "the same request";
            for (int i = 0; i < deliveries; i++) {
                checks.submit(request, checked::incrementAndGet, answered::countDown);
            }
            assertEquals(1, checks.waiting());
            assertEquals(0, checks.dropped());
            release.countDown();
            assertTrue(answered.await(10, TimeUnit.SECONDS));
            assertEquals(1, checked.get(), "one check served every delivery");
        } finally {
            checks.close();
        }
    }

    @Test
    void aCheckThatThrowsAnErrorDoesNotStopTheThread() throws Exception {
        SignatureChecks checks = new SignatureChecks("test", 1, 10);
        try {
            checks.submit(() -> {
                throw new StackOverflowError("simulated");
            });
            CountDownLatch after = new CountDownLatch(1);
            checks.submit(after::countDown);
            assertTrue(after.await(10, TimeUnit.SECONDS));
        } finally {
            checks.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
