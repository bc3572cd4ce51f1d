package io.drover.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks replies on threads of their own. A reply's check (certificate, Ed25519 signature, request digest) costs about
 * 0.05 ms here, and a broker delivers all of a client's replies on one thread: checked there, 5,000 replies take a
 * quarter of a second after the last one arrived. A full queue makes the delivery thread check the next reply itself,
 * which slows the reading of the socket instead of growing memory (a flood of forged replies included).
 */
final class ReplyChecks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyChecks.class);
    /** Replies waiting for a checker before the delivery thread checks them itself. */
    static final int QUEUE = 4_096;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;

    /** @param threads how many replies are checked at once */
    ReplyChecks(int threads) {
        int id = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
            Thread thread = new Thread(runnable, "drover-reply-check-" + id + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, (runnable, executor) -> runnable.run()); // full or closed: the caller checks it; a reply is never dropped here
        pool.allowCoreThreadTimeOut(true);
    }

    /** One checker per core, at most four: the broker and the rest of the runner need the others. */
    static int defaultThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Runs {@code check} for a reply of {@code wait} on a checker thread; until it ends, {@code wait} holds back
     * flush markers ({@link PendingRequest#flushed()}), so a discovery never ends with a reply still being checked.
     */
    void submit(PendingRequest wait, Runnable check) {
        wait.checking();
        pool.execute(() -> {
            try {
                check.run();
            } catch (Throwable e) { // a thread boundary: said, and the call still sees the reply as checked
                LOG.error("Checking a reply failed unexpectedly; it is not counted", e);
            } finally {
                wait.checked();
            }
        });
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
