package io.drover.fleet;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.ProtocolException;
import io.drover.protocol.Registration;
import io.drover.transport.BrokerConnector;
import io.drover.transport.BrokerFailures;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a collective's registry from the broker. The registrations live in one durable queue; a reader takes
 * the registry lock (an exclusive queue: the broker grants it to one connection at a time and drops it the
 * moment that connection dies), receives every message without acknowledging it, and then either puts them all
 * back untouched or, when some are superseded, publishes the compacted set (confirmed by the broker) before
 * acknowledging the originals. A reader that dies half-way loses nothing: unacknowledged messages return to the
 * queue, and a compacted copy next to its original is harmless (compaction keeps the latest of a node's messages).
 */
public final class RegistryReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryReader.class);
    private static final long LOCK_RETRY_MS = 25;
    /** Largest registration believed: facter's facts run to about 20 KB; anything far larger is someone else's. */
    static final int MAX_REGISTRATION_BYTES = 64 * 1024;
    /** Most a read keeps in memory: anyone who may publish to the registry must not be able to exhaust a runner. */
    static final long MAX_READ_BYTES = 512L * 1024 * 1024;

    /** The header a quorum queue puts on a message it delivers again, with how often it was returned. */
    static final String DELIVERY_COUNT = "x-delivery-count";

    private final BrokerConnector broker;
    private final Clock clock;
    private final Duration retireAfter;
    private final Duration lockWait;
    /** Whether a connection is kept between reads ({@link #keepingConnection}); else each read opens its own. */
    private final boolean keep;
    /** The kept connection, when {@link #keep}; guarded by {@code this}. */
    private Connection kept;

    /** Whether this reader lists several brokers (a cluster): a registry it creates is replicated. */
    boolean replicated() {
        return broker.uris().size() > 1;
    }

    /**
     * @param retireAfter nodes silent longer than this are retired by the read
     * @param lockWait    how long to wait for another reader holding the registry lock
     */
    public RegistryReader(BrokerConnector broker, Clock clock, Duration retireAfter, Duration lockWait) {
        this.broker = broker;
        this.clock = clock;
        this.retireAfter = retireAfter;
        this.lockWait = lockWait;
        this.keep = false;
    }

    private RegistryReader(RegistryReader reader) {
        this.broker = reader.broker;
        this.clock = reader.clock;
        this.retireAfter = reader.retireAfter;
        this.lockWait = reader.lockWait;
        this.keep = true;
    }

    /**
     * A reader that keeps its connection between reads (until {@link #close}), for a runner discovering again and
     * again: opening one per read cost every discovery a TCP and AMQP handshake (10 to 20 ms here), and at 20,000
     * nodes on a busy broker such handshakes timed out. The connection does not recover by itself (a recovered one
     * would take the registry lock again on its own); a read that finds it closed opens another.
     */
    public RegistryReader keepingConnection() {
        return new RegistryReader(this);
    }

    /** Closes the kept connection, if any; a reader that keeps none has nothing to close. */
    @Override
    public synchronized void close() {
        if (kept != null) {
            kept.abort(5_000);
            kept = null;
        }
    }

    /** A connection for one attempt: the kept one while it is open, else a new one (kept, when keeping). */
    private synchronized Connection connection() throws IOException, TimeoutException {
        if (!keep) {
            return broker.connect("drover registry reader");
        }
        if (kept == null || !kept.isOpen()) {
            kept = broker.connectOnce("drover registry reader");
        }
        return kept;
    }

    /** Ends an attempt's connection: always when not keeping; when keeping, only if it is no longer fit for reuse. */
    private synchronized void release(Connection connection, boolean reusable) {
        if (keep && reusable && connection == kept && connection.isOpen()) {
            return;
        }
        if (connection == kept) {
            kept = null;
        }
        connection.abort(5_000);
    }

    /** Reads (and compacts) the registry of {@code collective}. */
    public Fleet read(String collective) throws IOException, TimeoutException, InterruptedException {
        return read(collective, connection -> {
        }).fleet();
    }

    /** Work done on a read's connection while it holds the registry lock, before the registry is drained. */
    interface BeforeDrain {
        void run(Connection connection) throws IOException, InterruptedException;
    }

    /**
     * Reads (and compacts) the registry of {@code collective} like {@link #read(String)}, and returns what the
     * compaction kept besides the fleet: a {@link RegistryView} starts from it. {@code before} runs holding the lock, so
     * whatever it subscribes to the registry exchange sees every registration the drain does not.
     */
    RegistryCompaction.Result read(String collective, BeforeDrain before) throws IOException, TimeoutException, InterruptedException {
        return withLock(collective, connection -> {
            before.run(connection);
            Channel channel = connection.createChannel();
            try {
                return drain(channel, collective);
            } finally {
                closeQuietly(channel);
            }
        });
    }

    /**
     * Retires {@code identity} from the registry now: publishes a tombstone for everything it registered up to its
     * latest registration. A node that registers again afterwards (its agent is running after all) comes back.
     *
     * @return the host as it was known, or {@code null} when the registry does not know it
     */
    public KnownHost forget(String collective, String identity, String by) throws IOException, TimeoutException, InterruptedException {
        return withLock(collective, connection -> {
            Channel channel = connection.createChannel();
            try {
                Fleet fleet = drain(channel, collective).fleet();
                KnownHost host = fleet.hosts().get(identity);
                if (host == null) {
                    return null;
                }
                Registration tombstone = new Registration(Registration.Kind.FORGET.wireName(), identity, collective, null, null, null,
                        null, null, 0, clock.millis(), 0, by, host.lastSeen().toEpochMilli());
                channel.confirmSelect();
                channel.basicPublish(Topology.registryExchange(collective), "", MessageProperties.PERSISTENT_BASIC,
                        JsonCodec.instance().encode(tombstone));
                channel.waitForConfirmsOrDie(10_000);
                return host;
            } finally {
                closeQuietly(channel);
            }
        });
    }

    private interface Locked<T> {
        T run(Connection connection) throws IOException, TimeoutException, InterruptedException;
    }

    /**
     * Runs {@code work} holding the registry lock. Each attempt uses a connection of its own: Qpid closes the
     * whole connection, not only the channel, when an exclusive queue is already taken.
     */
    private <T> T withLock(String collective, Locked<T> work) throws IOException, TimeoutException, InterruptedException {
        if (!keep) {
            return withLockOn(collective, work);
        }
        // One read at a time on the kept connection: an exclusive queue declared again on the connection that holds it
        // is granted, so two threads of one runner would both "hold" the lock and each receive part of the registry.
        synchronized (this) {
            return withLockOn(collective, work);
        }
    }

    private <T> T withLockOn(String collective, Locked<T> work) throws IOException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + lockWait.toNanos();
        while (true) {
            Connection connection;
            try {
                connection = connection();
            } catch (IOException | TimeoutException e) {
                throw BrokerFailures.connecting(broker, e);
            }
            // Reused only when the lock was released on it and nothing failed: a lock left behind would block others.
            boolean reusable = false;
            try {
                Channel lock = connection.createChannel();
                try {
                    // Exclusive, not auto-delete: Qpid lets another connection take an exclusive auto-delete queue
                    // once its consumer-less channel closes (found by the deploy lock's tests); exclusive alone goes
                    // with the connection on both brokers.
                    lock.queueDeclare(Topology.registryLock(collective), false, true, false, null);
                } catch (IOException e) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new IOException("The fleet registry of collective " + collective + " stayed locked by another reader for "
                                + lockWait.toSeconds() + " s; a runner may be stuck compacting it. Try again, or delete the queue "
                                + Topology.registryLock(collective) + " if no runner is active", e);
                    }
                    Thread.sleep(LOCK_RETRY_MS);
                    continue;
                }
                T result = work.run(connection);
                try {
                    lock.queueDelete(Topology.registryLock(collective));
                    lock.close();
                    reusable = true;
                } catch (IOException | TimeoutException | com.rabbitmq.client.AlreadyClosedException e) {
                    // closing the connection (below) releases an exclusive queue too
                }
                return result;
            } finally {
                release(connection, reusable);
            }
        }
    }

    private RegistryCompaction.Result drain(Channel channel, String collective) throws IOException, InterruptedException {
        Topology.declareRegistry(channel, collective, Topology.isRabbitMq(channel.getConnection()), replicated());
        int count = channel.queueDeclarePassive(Topology.registryQueue(collective)).getMessageCount();
        if (count == 0) {
            return new RegistryCompaction.Result(Fleet.empty(clock.instant()), List.of(), 0);
        }
        Collector collector = new Collector(channel, count, collective);
        // No prefetch limit: nothing is acknowledged before every message is in hand, so any limit below the count
        // (AMQP's is at most 65,535) stalls the read for good; MAX_READ_BYTES bounds what is kept instead.
        channel.basicQos(0);
        String tag = channel.basicConsume(Topology.registryQueue(collective), false, "drover-registry-reader", collector);
        long timeoutMs = 10_000 + count;
        if (!collector.await(timeoutMs) && !collector.tooLarge) {
            throw new IOException("Read only " + collector.entries.size() + " of " + count + " registrations of collective "
                    + collective + " in " + timeoutMs + " ms");
        }
        channel.basicCancel(tag);
        if (collector.tooLarge) {
            throw new IOException("The fleet registry of collective " + collective + " holds more than " + MAX_READ_BYTES / (1024 * 1024)
                    + " MiB of registrations (" + count + " messages); someone other than Drover's agents may be flooding it. Inspect "
                    + "and purge the queue " + Topology.registryQueue(collective) + " (agents register again within their interval)");
        }
        Instant now = clock.instant();
        RegistryCompaction.Result result = RegistryCompaction.compact(collector.entries, now, retireAfter);
        if (!result.fleet().retired().isEmpty()) {
            LOG.info("Fleet registry of {}: retired {} node(s) silent for more than {}: {}", collective, result.fleet().retired().size(),
                    retireAfter, String.join(", ", result.fleet().retired()));
        }
        if (collector.malformed > 0) {
            LOG.warn("Fleet registry of {}: dropped {} malformed registration(s); someone other than Drover's agents publishes there",
                    collective, collector.malformed);
        }
        if (result.dropped() == 0 && collector.malformed == 0 && !collector.redeliveriesCounted) {
            // Nothing to compact: closing the channel puts every unacknowledged message back (Qpid has no basic.nack).
            return result;
        } else {
            // Compacted, or a quorum queue (a cluster's registry): it counts every return of a message, and RabbitMQ 4
            // drops one returned more than 20 times by default (a policy may set fewer), so a registry read that often
            // and put back by closing the channel would empty. Publishing the kept set afresh starts their counts again.
            channel.confirmSelect();
            for (RegistryCompaction.Entry entry : result.keep()) {
                channel.basicPublish(Topology.registryExchange(collective), "", MessageProperties.PERSISTENT_BASIC, entry.body());
            }
            try {
                channel.waitForConfirmsOrDie(30_000);
            } catch (TimeoutException e) {
                throw new IOException("The broker did not confirm the compacted registry of " + collective + " in 30 s", e);
            }
            channel.basicAck(collector.lastTag, true);
            LOG.debug("Fleet registry of {}: compacted {} registrations to {}", collective, count, result.keep().size());
        }
        return result;
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | com.rabbitmq.client.AlreadyClosedException ignored) {
            // the connection goes next
        }
    }

    /**
     * A registration of {@code collective} as received, or {@code null} when it is not one (too large, not a
     * registration, another collective's): the one check of a reader's and a {@link RegistryView}'s deliveries.
     */
    static RegistryCompaction.Entry entry(byte[] body, String collective) {
        if (body.length > MAX_REGISTRATION_BYTES) {
            return null;
        }
        try {
            Registration registration = JsonCodec.instance().decodeRegistration(body);
            return registration.collective().equals(collective) ? new RegistryCompaction.Entry(registration, body) : null;
        } catch (ProtocolException e) {
            return null;
        }
    }

    /** Receives the first {@code count} messages of the queue; later arrivals return to the queue with the channel. */
    private static final class Collector extends DefaultConsumer {
        private final int count;
        private final String collective;
        final List<RegistryCompaction.Entry> entries = new ArrayList<>();
        int received;
        int malformed;
        long bytes;
        boolean tooLarge;
        long lastTag;
        /** Some message came with a redelivery count: the registry is a quorum queue (see {@link #drain}). */
        boolean redeliveriesCounted;

        Collector(Channel channel, int count, String collective) {
            super(channel);
            this.count = count;
            this.collective = collective;
        }

        @Override
        public synchronized void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            if (received >= count || tooLarge) {
                return;
            }
            received++;
            lastTag = envelope.getDeliveryTag();
            if (properties.getHeaders() != null && properties.getHeaders().containsKey(DELIVERY_COUNT)) {
                redeliveriesCounted = true;
            }
            if (body.length > MAX_REGISTRATION_BYTES) {
                malformed++;
                finishIfDone();
                return;
            }
            bytes += body.length;
            if (bytes > MAX_READ_BYTES) {
                tooLarge = true;
                notifyAll();
                return;
            }
            RegistryCompaction.Entry entry = entry(body, collective);
            if (entry != null) {
                entries.add(entry);
            } else {
                malformed++;
            }
            finishIfDone();
        }

        private void finishIfDone() {
            if (received >= count) {
                notifyAll();
            }
        }

        synchronized boolean await(long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (received < count && !tooLarge) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }
}
