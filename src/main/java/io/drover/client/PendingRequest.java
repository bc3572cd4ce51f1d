package io.drover.client;

import io.drover.protocol.Reply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
    /** When each reply in {@link #replies} arrived, nanoseconds after publishing. */
    private final Map<String, Long> answeredAt = new java.util.HashMap<>();
    private final Map<String, Reply> unexpected = new LinkedHashMap<>();
    private final Map<String, String> unroutable = new LinkedHashMap<>();
    private final Map<String, String> rejected = new LinkedHashMap<>();
    /** Per host, the latest probe round the broker returned (the host's queue was gone then). */
    private final Map<String, Integer> returnedProbe = new HashMap<>();
    private final List<ConnectionEvent> connectionEvents = new ArrayList<>();
    private boolean recovered;
    private boolean closed;
    private int repliesAfterRecovery;
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
    /** Replies delivered for this request whose check is still running on another thread ({@link ReplyChecks}). */
    private int checking;
    /** Flush markers that arrived while replies delivered before them were still being checked. */
    private int heldFlushes;
    private Set<String> awaited;
    private int awaitedLeft;
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

    /** Takes a reply; {@code false} when the call already ended ({@link #close()}): the reply is late. */
    boolean accept(Reply reply) {
        long now = System.nanoTime();
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            String sender = reply.sender();
            if (replies.containsKey(sender) || unexpected.containsKey(sender)) {
                duplicates++;
                return true;
            }
            if (expected != null && !expected.contains(sender)) {
                unexpected.put(sender, reply);
            } else {
                // A reply beats an earlier verdict that the host is unreachable: it answered after all.
                unroutable.remove(sender);
                replies.put(sender, reply);
                answeredAt.put(sender, now - publishedAt);
                if (awaited != null && awaited.contains(sender)) {
                    awaitedLeft--;
                }
                if (recovered) {
                    repliesAfterRecovery++;
                }
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
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * From now on, counts which of {@code hosts} are still to answer (a discovery learns them from the registry
     * after the broadcast went out, so replies may already be in).
     */
    void await(Set<String> hosts) {
        lock.lock();
        try {
            awaited = Set.copyOf(hosts);
            awaitedLeft = 0;
            for (String host : awaited) {
                if (!replies.containsKey(host)) {
                    awaitedLeft++;
                }
            }
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The call stopped waiting; replies from now on are late. Called under the lock, through read(). */
    void close() {
        closed = true;
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

    /**
     * The broker returned probe {@code round} for {@code identity}: its queue was gone at {@code now}. Two
     * returned rounds in a row (about two probe intervals) mark the host disconnected, so an agent that only
     * blinked while reconnecting is not given up on.
     */
    void probeReturned(String identity, int round, long now) {
        lock.lock();
        try {
            if (expected == null || !expected.contains(identity) || replies.containsKey(identity) || unroutable.containsKey(identity)) {
                return;
            }
            Integer previous = returnedProbe.put(identity, round);
            if (previous != null && previous == round - 1) {
                unroutable.put(identity, "agent disconnected during the call: its queue was gone at "
                        + CallResult.seconds(Duration.ofNanos(now - publishedAt)) + " (agent stopped or lost its broker connection)");
                version++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Something happened to the client's broker connection at {@code when} (nanoTime). */
    void connectionEvent(ConnectionEvent.Kind kind, long when, String detail) {
        lock.lock();
        try {
            connectionEvents.add(new ConnectionEvent(kind, Duration.ofNanos(when - publishedAt), detail));
            if (kind == ConnectionEvent.Kind.RECOVERED) {
                recovered = true;
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

    /**
     * A flush marker sent after this request came back through the reply queue. It counts once every reply
     * delivered before it has been checked and taken, so it still proves that no earlier reply is left out.
     */
    void flushed() {
        lock.lock();
        try {
            if (checking > 0) {
                heldFlushes++;
                return;
            }
            flushes++;
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A reply of this request was handed to another thread to be checked; see {@link #flushed()}. */
    void checking() {
        lock.lock();
        try {
            checking++;
        } finally {
            lock.unlock();
        }
    }

    /** A reply handed over with {@link #checking()} was checked (and taken or rejected). */
    void checked() {
        lock.lock();
        try {
            checking--;
            if (checking == 0 && heldFlushes > 0) {
                flushes += heldFlushes;
                heldFlushes = 0;
                version++;
                changed.signalAll();
            }
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

    /** How many of the hosts given to {@link #await(Set)} have not answered yet. */
    int awaitedLeft() {
        return awaitedLeft;
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

    /** When each reply arrived, from publishing. */
    java.util.SortedMap<String, java.time.Duration> answeredAt() {
        java.util.SortedMap<String, java.time.Duration> times = new java.util.TreeMap<>();
        answeredAt.forEach((host, nanos) -> times.put(host, java.time.Duration.ofNanos(Math.max(0, nanos))));
        return times;
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

    /** Expected hosts that neither answered nor were found unreachable yet, sorted. */
    Set<String> waitingFor() {
        Set<String> waiting = new TreeSet<>();
        if (expected != null) {
            for (String host : expected) {
                if (!replies.containsKey(host) && !unroutable.containsKey(host)) {
                    waiting.add(host);
                }
            }
        }
        return waiting;
    }

    List<ConnectionEvent> connectionEvents() {
        return List.copyOf(connectionEvents);
    }

    int repliesAfterRecovery() {
        return repliesAfterRecovery;
    }
}
