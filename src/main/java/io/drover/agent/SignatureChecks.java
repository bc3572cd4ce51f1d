package io.drover.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests waiting for their signature check, on threads of their own, newest first. An Ed25519 check costs about
 * 0.6 ms, so a flood of forged requests bearing a trusted caller's name would otherwise hold every later request
 * behind it for seconds: 10,000 delayed a legitimate ping by 7 s. Here the delivery thread only decodes and hands
 * over, the newest request is checked first, and beyond the backlog the oldest unchecked ones are dropped (counted,
 * logged): a legitimate request arriving during a flood is checked at once, and none of the forged ones gets near
 * the worker threads.
 *
 * <p>One check serves every delivery of the same request: a host serving many nodes (the emulator, the sandbox)
 * receives one broadcast or directed request once per node, thousands at once, and they wait for the one check
 * instead of filling the backlog.
 */
final class SignatureChecks {
    private static final Logger LOG = LoggerFactory.getLogger(SignatureChecks.class);
    private static final long REPORT_EVERY_MS = 10_000;
    /** Deliveries of one request that may wait for its check; a host serves far fewer nodes. */
    static final int MAX_FOLLOWERS = 100_000;

    private record Check(Object key, Runnable check) {
    }

    private final LinkedBlockingDeque<Check> waiting = new LinkedBlockingDeque<>();
    /** For each request waiting or being checked, what to do once it is. Guarded by {@code waiting}. */
    private final Map<Object, List<Runnable>> followers = new HashMap<>();
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
        submit(new Object(), check, () -> { });
    }

    /**
     * Runs {@code check} for {@code key} (a request), newest first, then {@code then}; when a check of the same key is
     * already waiting or running, only {@code then} is added to it. Neither may throw. Beyond the backlog the oldest
     * waiting check is dropped with everything that waited for it.
     */
    void submit(Object key, Runnable check, Runnable then) {
        synchronized (waiting) {
            List<Runnable> after = followers.get(key);
            if (after != null) {
                if (after.size() < MAX_FOLLOWERS) {
                    after.add(then);
                } else {
                    dropped.incrementAndGet();
                }
                return;
            }
            after = new ArrayList<>(1);
            after.add(then);
            followers.put(key, after);
            while (waiting.size() >= backlog) {
                Check oldest = waiting.pollLast();
                if (oldest == null) {
                    break;
                }
                List<Runnable> lost = followers.remove(oldest.key());
                dropped.addAndGet(lost == null ? 1 : lost.size());
            }
            waiting.offerFirst(new Check(key, check));
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
        synchronized (waiting) {
            waiting.clear();
            followers.clear();
        }
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            Check next;
            try {
                next = waiting.takeFirst();
            } catch (InterruptedException e) {
                return;
            }
            run(next.check());
            List<Runnable> after;
            synchronized (waiting) {
                after = followers.remove(next.key());
            }
            if (after != null) {
                after.forEach(SignatureChecks::run);
            }
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            // Checks handle their own failures; this thread must outlive anything that still escapes.
            LOG.error("A signature check failed unexpectedly", t);
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
