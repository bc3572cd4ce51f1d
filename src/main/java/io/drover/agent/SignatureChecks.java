package io.drover.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests waiting for their signature check, on threads of their own, newest first. An Ed25519 check costs about
 * 0.6 ms, so a flood of forged requests bearing a trusted caller's name would otherwise hold every later request
 * behind it for seconds: 10,000 delayed a legitimate ping by 7 s. Here the delivery thread only decodes and hands
 * over, the newest request is checked first, and beyond the backlog the oldest unchecked ones are dropped (counted,
 * logged): a legitimate request arriving during a flood is checked at once, and none of the forged ones gets near
 * the worker threads.
 */
final class SignatureChecks {
    private static final Logger LOG = LoggerFactory.getLogger(SignatureChecks.class);
    private static final long REPORT_EVERY_MS = 10_000;

    private final LinkedBlockingDeque<Runnable> waiting = new LinkedBlockingDeque<>();
    private final int backlog;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private long reportedAt;

    SignatureChecks(String name, int threadCount, int backlog) {
        this.backlog = backlog;
        for (int i = 1; i <= threadCount; i++) {
            Thread thread = new Thread(this::work, name + " signature-check-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    /** Threads for checks: one core is left to the delivery threads, which must keep draining the queues. */
    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /** Queues a check (which must not throw), newest first; drops the oldest waiting check beyond the backlog. */
    void submit(Runnable check) {
        synchronized (waiting) {
            while (waiting.size() >= backlog && waiting.pollLast() != null) {
                dropped.incrementAndGet();
            }
            waiting.offerFirst(check);
        }
        report();
    }

    int waiting() {
        return waiting.size();
    }

    long dropped() {
        return dropped.get();
    }

    void close() {
        threads.forEach(Thread::interrupt);
        waiting.clear();
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            Runnable check;
            try {
                check = waiting.takeFirst();
            } catch (InterruptedException e) {
                return;
            }
            try {
                check.run();
            } catch (Throwable t) {
                // Checks handle their own failures; this thread must outlive anything that still escapes.
                LOG.error("A signature check failed unexpectedly", t);
            }
        }
    }

    private void report() {
        long count = dropped.get();
        if (count == 0) {
            return;
        }
        long now = System.currentTimeMillis();
        synchronized (this) {
            if (now - reportedAt < REPORT_EVERY_MS) {
                return;
            }
            reportedAt = now;
        }
        LOG.warn("Dropped {} requests so far before their signature check: more than {} were waiting (a flood of forged "
                + "requests?); the newest are checked first, the runner of a dropped genuine request sees no reply and can rerun",
                count, backlog);
    }
}
