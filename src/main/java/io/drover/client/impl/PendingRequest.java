package io.drover.client.impl;

import io.drover.protocol.Reply;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Collects the replies to one request as they arrive on the client's reply queue, and lets the calling
 * thread wait until all expected hosts answered, the broker said a host is unreachable, or time runs out.
 */
final class PendingRequest {
    private final Set<String> expected;
    private final long publishedAt;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Reply> replies = new LinkedHashMap<>();
    private final Map<String, Reply> unexpected = new LinkedHashMap<>();
    private final Map<String, String> unroutable = new LinkedHashMap<>();
    private final Map<String, String> rejected = new LinkedHashMap<>();
    /** Digest of the message body sent to each target (a directed request goes in chunks), or of the broadcast. */
    private final Map<String, String> sentDigests = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String broadcastDigest;
    private int duplicates;
    private int failed;
    private long firstReplyAt;
    private long lastReplyAt;
    private long largestGap;
    private boolean noRoute;
    private long stalledUntil;
    private int flushes;
    /** Bumped on every change; a waiter that saw version v sleeps only while it is still v (no lost wake-ups). */
    private long version;

    /**
     * @param expected    hosts expected to answer, or {@code null} when any matching host may (discovery)
     * @param publishedAt {@link System#nanoTime()} when the request was published
     */
    PendingRequest(Set<String> expected, long publishedAt) {
        this.expected = expected;
        this.publishedAt = publishedAt;
    }

    void accept(Reply reply) {
        long now = System.nanoTime();
        lock.lock();
        try {
            String sender = reply.sender();
            if (replies.containsKey(sender) || unexpected.containsKey(sender)) {
                duplicates++;
                return;
            }
            if (expected != null && !expected.contains(sender)) {
                unexpected.put(sender, reply);
            } else {
                replies.put(sender, reply);
                if (!reply.isOk()) {
                    failed++;
                }
                if (firstReplyAt == 0) {
                    firstReplyAt = now;
                } else {
                    largestGap = Math.max(largestGap, now - lastReplyAt);
                }
                lastReplyAt = now;
            }
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Remembers the digest of the body about to be sent to {@code targets}, or to every node when {@code null}. */
    void sent(java.util.List<String> targets, String digest) {
        if (targets == null) {
            broadcastDigest = digest;
        } else {
            for (String target : targets) {
                sentDigests.put(target, digest);
            }
        }
    }

    /** The digest of what was sent to {@code sender}, or {@code null} when it was not asked. */
    String sentDigest(String sender) {
        String broadcast = broadcastDigest;
        return broadcast != null ? broadcast : sentDigests.get(sender);
    }

    /** A reply claiming to come from {@code sender} failed its signature check; it is not counted as an answer. */
    void rejected(String sender, String problem) {
        lock.lock();
        try {
            rejected.putIfAbsent(sender, problem);
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The broker returned the message for {@code identity}: no queue is bound for it. */
    void unroutable(String identity) {
        lock.lock();
        try {
            if (expected != null && expected.contains(identity) && !replies.containsKey(identity)) {
                unroutable.put(identity, "not connected: the broker has no queue for this node (agent stopped?)");
            }
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A broadcast was returned: no node of the collective serves that agent. */
    void noRoute() {
        lock.lock();
        try {
            noRoute = true;
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The process was stalled (e.g. a GC pause) until {@code now}: time before it does not count as quiet. */
    void stalled(long now) {
        lock.lock();
        try {
            stalledUntil = Math.max(stalledUntil, now);
        } finally {
            lock.unlock();
        }
    }

    /** A flush marker sent after this request came back through the reply queue. */
    void flushed() {
        lock.lock();
        try {
            flushes++;
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until something changed since {@code seenVersion} (read with {@link #version()}) or {@code deadline}
     * (nanoTime) passes. Checking the version under the lock means a change that happened between the caller's
     * look and this wait is never slept through.
     */
    void awaitChange(long seenVersion, long deadline) throws InterruptedException {
        lock.lock();
        try {
            long wait;
            while (version == seenVersion && (wait = deadline - System.nanoTime()) > 0) {
                changed.await(wait, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The change counter, for {@link #awaitChange(long, long)}. */
    long version() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }

    <T> T read(java.util.function.Function<PendingRequest, T> reader) {
        lock.lock();
        try {
            return reader.apply(this);
        } finally {
            lock.unlock();
        }
    }

    // The accessors below are called under the lock, through read().

    boolean complete() {
        return expected != null && replies.size() + unroutable.size() >= expected.size();
    }

    int replyCount() {
        return replies.size();
    }

    int failedCount() {
        return failed;
    }

    boolean isNoRoute() {
        return noRoute;
    }

    long firstReplyAt() {
        return firstReplyAt;
    }

    long lastReplyAt() {
        return lastReplyAt;
    }

    /** Since when no reply has arrived, ignoring time the process spent stalled. */
    long quietSince() {
        return Math.max(lastReplyAt, stalledUntil);
    }

    int flushCount() {
        return flushes;
    }

    long largestGap() {
        return largestGap;
    }

    long publishedAt() {
        return publishedAt;
    }

    Map<String, Reply> replies() {
        return new LinkedHashMap<>(replies);
    }

    Map<String, Reply> unexpected() {
        return new LinkedHashMap<>(unexpected);
    }

    Map<String, String> unroutable() {
        return new LinkedHashMap<>(unroutable);
    }

    Map<String, String> rejected() {
        return new LinkedHashMap<>(rejected);
    }

    int duplicates() {
        return duplicates;
    }
}
