package io.drover.lock;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.testing.TestBroker;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deploy locks in a real broker: overlapping sets exclude each other and name the holder, disjoint sets do not,
 * a waiting run gets the lock when the holder releases it or its connection dies, all or nothing, and many runs
 * racing for overlapping sets never hold a host twice nor deadlock. Run against the embedded broker and RabbitMQ
 * by the subclasses; each test uses hosts of its own in a throwaway collective.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeployLockContract {
    private TestBroker broker;
    private DeployLocks locks;
    private final String collective = "lock-" + UUID.randomUUID().toString().substring(0, 8);
    private final SortedSet<String> used = new java.util.concurrent.ConcurrentSkipListSet<>();

    abstract TestBroker startBroker();

    /**
     * Whether the broker tells a consumer its queue was deleted (RabbitMQ's {@code basic.cancel}); Qpid Broker-J does
     * not, so there a holder does not notice that someone deleted its lock queue.
     */
    boolean notifiesCancelledConsumers() {
        return true;
    }

    @BeforeAll
    void startBrokerOnce() {
        broker = startBroker();
        locks = new DeployLocks(broker.connector(), collective);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (broker == null) {
            return;
        }
        try (Connection connection = broker.connector().connectOnce("lock IT clean-up")) {
            List<String> queues = new ArrayList<>();
            used.forEach(host -> queues.add(Topology.hostLock(collective, host)));
            queues.add(Topology.lockHolders(collective));
            for (String queue : queues) {
                Channel channel = connection.createChannel();
                try {
                    channel.queueDelete(queue);
                    channel.close();
                } catch (java.io.IOException e) {
                    // gone already (Qpid says so, RabbitMQ does not)
                }
            }
        } finally {
            broker.close();
        }
    }

    private SortedSet<String> hosts(String... names) {
        SortedSet<String> out = new TreeSet<>();
        for (String name : names) {
            out.add(name + ".example.com");
        }
        used.addAll(out);
        return out;
    }

    private static LockHolder holder(String caller) {
        return LockHolder.ofThisRunner(caller, "features/" + caller + ".feature:3 (Deploy as " + caller + ")");
    }

    @Test
    void anOverlappingRunFailsNamingTheHolderAndKeepsNothing() throws Exception {
        try (HostLock alice = locks.acquire(hosts("ov-b", "ov-c"), holder("alice"), Duration.ZERO)) {
            LockedException e = assertThrows(LockedException.class,
                    () -> locks.acquire(hosts("ov-a", "ov-c", "ov-d"), holder("bob"), Duration.ZERO));
            assertEquals("ov-c.example.com", e.host());
            assertEquals("alice", e.holder().caller());
            String message = e.getMessage();
            assertTrue(message.contains("Another deploy holds ov-c.example.com (one of the 3 hosts discovered): caller alice, "
                    + "feature features/alice.feature:3 (Deploy as alice), runner " + ProcessHandle.current().pid() + "@"), message);
            assertTrue(message.contains(", since " + alice.holder().since() + " ("), message);
            // bob took ov-a before finding ov-c locked, and gave it back.
            try (HostLock carol = locks.acquire(hosts("ov-a", "ov-d"), holder("carol"), Duration.ZERO)) {
                assertTrue(carol.isHeld());
            }
            assertTrue(alice.isHeld());
        }
    }

    @Test
    void disjointRunsProceedTogether() throws Exception {
        try (HostLock alice = locks.acquire(hosts("dj-a", "dj-b"), holder("alice"), Duration.ZERO);
             HostLock bob = locks.acquire(hosts("dj-c", "dj-d"), holder("bob"), Duration.ZERO)) {
            assertTrue(alice.isHeld() && bob.isHeld());
            alice.requireHeld();
            bob.requireHeld();
        }
    }

    @Test
    void aReleasedLockIsFreeAtOnceAndItsHolderRecordGone() throws Exception {
        HostLock alice = locks.acquire(hosts("rl-a"), holder("alice"), Duration.ZERO);
        alice.close();
        assertFalse(alice.isHeld());
        assertThrows(IllegalStateException.class, alice::requireHeld);
        assertNull(locks.holderOf("rl-a.example.com"), "the holder record goes with the lock");
        try (HostLock bob = locks.acquire(hosts("rl-a"), holder("bob"), Duration.ZERO)) {
            assertEquals("bob", locks.holderOf("rl-a.example.com").caller());
        }
    }

    @Test
    void aWaitingRunProceedsOnceTheHolderFinishes() throws Exception {
        HostLock alice = locks.acquire(hosts("wt-a", "wt-b"), holder("alice"), Duration.ZERO);
        AtomicBoolean released = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> bob = pool.submit(() -> {
                try (HostLock lock = locks.acquire(hosts("wt-b", "wt-c"), holder("bob"), Duration.ofSeconds(120))) {
                    return released.get() && lock.isHeld();
                }
            });
            Thread.sleep(1500);
            released.set(true);
            alice.close();
            assertTrue(bob.get(150, TimeUnit.SECONDS), "bob got the lock only after alice released it");
        } finally {
            alice.close();
            pool.shutdownNow();
        }
    }

    @Test
    void aWaitThatEndsFailsNamingTheHolder() throws Exception {
        try (HostLock alice = locks.acquire(hosts("to-a"), holder("alice"), Duration.ZERO)) {
            LockedException e = assertThrows(LockedException.class, () -> locks.acquire(hosts("to-a"), holder("bob"), Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("caller alice") && e.getMessage().contains("; waited "), e.getMessage());
            assertTrue(alice.isHeld());
        }
    }

    @Test
    void aDeadHoldersLockIsFreeAtOnceAndItKnowsItLostIt() throws Exception {
        HostLock alice = locks.acquire(hosts("dd-a", "dd-b"), holder("alice"), Duration.ZERO);
        // The connection ends as when its process dies: not closed by the lock.
        alice.connection().abort();
        try (HostLock bob = locks.acquire(hosts("dd-b"), holder("bob"), Duration.ofSeconds(60))) {
            assertTrue(bob.isHeld());
        }
        assertFalse(alice.isHeld());
        IllegalStateException lost = assertThrows(IllegalStateException.class, alice::requireHeld);
        assertTrue(lost.getMessage().contains("was lost") && lost.getMessage().contains("another run may be deploying them"),
                lost.getMessage());
        alice.close();
    }

    @Test
    void aForgedHolderRecordIsNotBelievedNorFatal() throws Exception {
        try (HostLock alice = locks.acquire(hosts("fg-a"), holder("alice"), Duration.ZERO)) {
            try (Connection connection = broker.connector().connectOnce("forger")) {
                Channel channel = connection.createChannel();
                // Alice's record gone; in its place junk, and a well-formed record of a run that does not exist.
                channel.queuePurge(Topology.lockHolders(collective));
                channel.basicPublish("", Topology.lockHolders(collective), null,
                        "{\"caller\":\"mallory\u202e\"".getBytes(StandardCharsets.UTF_8));
                channel.basicPublish("", Topology.lockHolders(collective), null, new HolderRecord(java.util.UUID.randomUUID().toString(),
                        holder("mallory"), hosts("fg-a")).encode());
            }
            LockedException e = assertThrows(LockedException.class, () -> locks.acquire(hosts("fg-a"), holder("bob"), Duration.ZERO));
            assertNull(e.holder());
            assertTrue(e.getMessage().contains("did not say who it is"), e.getMessage());
        }
    }

    @Test
    void aDeadRunsRecordIsNotBelievedAndIsRemoved() throws Exception {
        HostLock alice = locks.acquire(hosts("dr-a"), holder("alice"), Duration.ZERO);
        assertEquals("alice", locks.holderOf("dr-a.example.com").caller());
        alice.connection().abort();
        // The broker drops the run's marker an instant after its connection ends (Qpid: in the background).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (locks.holderOf("dr-a.example.com") != null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertNull(locks.holderOf("dr-a.example.com"), "a record counts only while its run's connection lives");
        List<String> records = new ArrayList<>();
        try (Connection connection = broker.connector().connectOnce("lock IT records")) {
            HolderRecords.browse(connection, collective, record -> {
                records.add(record.holder().caller() + " " + record.hosts());
                return HolderRecords.Verdict.KEEP;
            });
        }
        assertFalse(records.stream().anyMatch(record -> record.contains("dr-a")), "the reader removed the dead run's record: " + records);
        try (HostLock bob = locks.acquire(hosts("dr-a"), holder("bob"), Duration.ZERO)) {
            assertEquals("bob", locks.holderOf("dr-a.example.com").caller());
        }
        alice.close();
    }

    @Test
    void messagesPublishedIntoALockDoNotCostItsHolderTheLock() throws Exception {
        try (HostLock alice = locks.acquire(hosts("pb-a"), holder("alice"), Duration.ZERO)) {
            try (Connection connection = broker.connector().connectOnce("prankster")) {
                Channel channel = connection.createChannel();
                channel.confirmSelect();
                for (int i = 0; i < 20; i++) {
                    channel.basicPublish("", Topology.hostLock(collective, "pb-a.example.com"), null, "x".getBytes(StandardCharsets.UTF_8));
                }
                channel.waitForConfirmsOrDie(30_000);
            }
            Thread.sleep(500);
            assertTrue(alice.isHeld());
            alice.requireHeld();
            assertThrows(LockedException.class, () -> locks.acquire(hosts("pb-a"), holder("bob"), Duration.ZERO));
        }
    }

    @Test
    void aLockQueueOutlivesItsHolderSoTheNextRunOnlyConsumes() throws Exception {
        locks.acquire(hosts("kp-a"), holder("alice"), Duration.ZERO).close();
        try (Connection connection = broker.connector().connectOnce("lock IT kept")) {
            assertEquals(0, connection.createChannel().queueDeclarePassive(Topology.hostLock(collective, "kp-a.example.com")).getConsumerCount());
        }
        try (HostLock bob = locks.acquire(hosts("kp-a"), holder("bob"), Duration.ZERO)) {
            assertTrue(bob.isHeld());
        }
    }

    @Test
    void forgottenHostsLoseTheirLockQueuesAndAHolderNoticesItLostIt() throws Exception {
        locks.acquire(hosts("fo-a"), holder("alice"), Duration.ZERO).close();
        HostLock bob = locks.acquire(hosts("fo-b"), holder("bob"), Duration.ZERO);
        locks.forget(hosts("fo-a", "fo-b"));
        try (Connection connection = broker.connector().connectOnce("lock IT forgotten")) {
            for (String host : List.of("fo-a.example.com", "fo-b.example.com")) {
                java.io.IOException gone = assertThrows(java.io.IOException.class,
                        () -> connection.createChannel().queueDeclarePassive(Topology.hostLock(collective, host)));
                assertEquals(DeployLocks.NOT_FOUND, io.drover.transport.BrokerFailures.replyCode(gone), host);
            }
        }
        // The queue went with bob's consumer on it: another run can lock the host, and bob's next step refuses to go on.
        if (!notifiesCancelledConsumers()) {
            bob.close();
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bob.isHeld() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        IllegalStateException lost = assertThrows(IllegalStateException.class, bob::requireHeld);
        assertTrue(lost.getMessage().contains("fo-b.example.com: someone deleted its lock queue"), lost.getMessage());
        try (HostLock carol = locks.acquire(hosts("fo-b"), holder("carol"), Duration.ZERO)) {
            assertTrue(carol.isHeld());
        }
        bob.close();
    }

    @Test
    void aThousandHostsAreLockedAndReleasedInOneGo() throws Exception {
        String[] names = new String[1000];
        for (int i = 0; i < names.length; i++) {
            names[i] = String.format("big-%04d", i);
        }
        SortedSet<String> all = hosts(names);
        try (HostLock alice = locks.acquire(all, holder("alice"), Duration.ZERO)) {
            LockedException e = assertThrows(LockedException.class, () -> locks.acquire(hosts("big-0500", "big-zzzz"), holder("bob"),
                    Duration.ZERO));
            assertEquals("big-0500.example.com", e.host(), "the broker's refusal names the lock, among a thousand sent at once");
            assertEquals("alice", e.holder().caller());
        }
        try (HostLock bob = locks.acquire(all, holder("bob"), Duration.ZERO)) {
            assertTrue(bob.isHeld(), "released in full when close returned");
        }
    }

    @Test
    void runsRacingForOverlappingHostsNeverShareOneNorDeadlock() throws Exception {
        List<String> names = List.of("rc-a", "rc-b", "rc-c", "rc-d", "rc-e");
        names.forEach(this::hosts);
        Map<String, String> holders = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int run = 0; run < 4; run++) {
                String caller = "run" + run;
                runs.add(pool.submit(() -> {
                    int held = 0;
                    for (int i = 0; i < 4; i++) {
                        List<String> shuffled = new ArrayList<>(names);
                        java.util.Collections.shuffle(shuffled);
                        SortedSet<String> wanted = hosts(shuffled.subList(0, 2 + ThreadLocalRandom.current().nextInt(3)).toArray(String[]::new));
                        try (HostLock lock = locks.acquire(wanted, holder(caller), Duration.ofSeconds(240))) {
                            for (String host : wanted) {
                                String other = holders.putIfAbsent(host, caller);
                                assertNull(other, host + " held by " + other + " and " + caller + " at once");
                            }
                            Thread.sleep(50);
                            wanted.forEach(holders::remove);
                            held++;
                        }
                    }
                    return held;
                }));
            }
            for (Future<Integer> run : runs) {
                assertEquals(4, run.get(600, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
