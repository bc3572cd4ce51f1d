package io.drover.fleet;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A client's live view of its collective's registry, so that only its first discovery reads the registry whole: at
 * 100 nodes a whole read (lock, drain, compaction) made discovery about 4 times the broadcast's own time.
 *
 * <p>A whole read ({@link RegistryReader#read(String, RegistryReader.BeforeDrain)}) first declares a queue of the
 * client's ({@link Topology#registryView}) bound to the registry exchange, holding the registry lock, so every
 * registration published from then on reaches the view too (one also drained is harmless: compaction keeps a node's
 * latest by its {@code sent} time). The view is what that read's compaction kept plus every registration delivered
 * since, checked as the reader checks them; each {@link #fleet()} compacts it in memory, never on the broker.
 *
 * <p>The next {@link #fleet()} reads whole again, subscribing first, when the view may have missed a registration or
 * holds too much: its channel or consumer ended (the reader's connection does not recover by itself, so a broker
 * outage ends it too); {@link #invalidate} was called (the client's own connection recovered); it is older than
 * {@code refreshAfter} (the periodic whole read is also what compacts the durable registry for a long-lived runner);
 * or it received too much. "Too much" is a count, {@code threshold}: {@link #BASE_THRESHOLD} plus twice the messages
 * the registry held when subscribing, far above what heartbeats bring in a refresh period (a node sends one per
 * interval, at least 10 s, by default 5 min). On RabbitMQ the queue is also bounded ({@code x-max-length} =
 * threshold + {@link #PREFETCH}) with the default overflow, which drops the oldest message without telling anyone.
 * A drop needs the queue full, and after one the messages delivered plus those still queued plus those in flight
 * (at most the prefetch) are at least the bound, so {@code delivered + queued >= threshold} at a discovery (one
 * message count, RabbitMQ only) or {@code delivered >= threshold} at a delivery is a sure sign of a possible gap; it
 * may also fire without one, which costs one whole read. Qpid Broker-J refuses {@code x-} arguments and drops
 * nothing; there the count at delivery bounds the view alone. What the view keeps in memory is bounded like a
 * whole read ({@link RegistryReader#MAX_READ_BYTES}) and compacted as it grows, so it stays about the fleet's size.
 *
 * <p>Deliveries arrive on the consumer's thread, discoveries on any: a subscription's state is guarded by itself,
 * the current subscription by the view. Every failure of the view falls back to a whole read; a whole read fails as
 * {@link RegistryReader#read(String)} does.
 */
public final class RegistryView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryView.class);
    /** Registrations a view takes in before it reads whole again, besides twice the registry's own depth. */
    static final long BASE_THRESHOLD = 100_000;
    /** Deliveries in flight to the view (unacknowledged); bounds what the client library buffers for it. */
    static final int PREFETCH = 1_000;
    /** Compacts the deliveries in memory once they outnumber the view (or this many), so heartbeats do not pile up. */
    private static final int COMPACT_AFTER = 10_000;

    private final RegistryReader reader;
    private final String collective;
    private final String queue;
    private final Clock clock;
    private final Duration retireAfter;
    private final Duration refreshAfter;
    private final long baseThreshold;
    /** The view now; {@code null} before the first read and after an invalidation. Changed holding {@code this}. */
    private volatile Subscription current;
    private long wholeReads;
    /** Whether the broker refused the view's queue once already (said at WARN once, then at DEBUG). */
    private volatile boolean refusedBefore;
    private volatile boolean closed;

    /**
     * @param reader       reads the registry whole; a reader {@link RegistryReader#keepingConnection() keeping its
     *                     connection}, which the view's queue lives on between reads
     * @param queue        the view's queue name ({@link Topology#registryView})
     * @param retireAfter  as the reader's: nodes silent for longer are left out
     * @param refreshAfter the view's longest life before the next discovery reads whole again
     */
    public RegistryView(RegistryReader reader, String collective, String queue, Clock clock, Duration retireAfter, Duration refreshAfter) {
        this(reader, collective, queue, clock, retireAfter, refreshAfter, BASE_THRESHOLD);
    }

    RegistryView(RegistryReader reader, String collective, String queue, Clock clock, Duration retireAfter, Duration refreshAfter,
                 long baseThreshold) {
        this.reader = reader;
        this.collective = collective;
        this.queue = queue;
        this.clock = clock;
        this.retireAfter = retireAfter;
        this.refreshAfter = refreshAfter;
        this.baseThreshold = baseThreshold;
    }

    /** The fleet now: from the live view while it is valid, else from a whole read that starts a new view. */
    public synchronized Fleet fleet() throws IOException, TimeoutException, InterruptedException {
        Subscription sub = current;
        if (sub != null) {
            Fleet fleet = sub.fleet();
            if (fleet != null) {
                return fleet;
            }
            LOG.debug("Fleet registry view of {} no longer valid ({}): reading the registry whole", collective, sub.invalid);
            current = null;
            sub.close();
        }
        return readWhole();
    }

    /** How many whole reads {@link #fleet()} made: for tests and diagnostics. */
    public synchronized long wholeReads() {
        return wholeReads;
    }

    /**
     * Makes the next {@link #fleet()} read whole: called when the client's connection recovered, as a gap may have
     * lost registrations. Cheap, and safe on any thread (no broker call): the queue is deleted by that next read.
     */
    public void invalidate(String why) {
        Subscription sub = current; // not under the view's lock: a whole read may hold it for seconds
        if (sub != null) {
            sub.invalidate(why);
        }
    }

    /** Ends the view and deletes its queue; call before closing the reader, which owns the connection. */
    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /** The current subscription, whose monitor its deliveries take: for tests that stall them; {@code null} when there is none. */
    synchronized Object subscription() {
        return current;
    }

    /** The current subscription's channel, for tests that break it; {@code null} when there is none. */
    synchronized Channel channel() {
        return current == null ? null : current.getChannel();
    }

    private Fleet readWhole() throws IOException, TimeoutException, InterruptedException {
        Subscription[] made = new Subscription[1];
        boolean[] refused = new boolean[1];
        RegistryCompaction.Result result;
        try {
            result = reader.read(collective, connection -> {
                if (!closed) {
                    made[0] = subscribe(connection);
                    refused[0] = made[0] == null;
                }
            });
        } catch (InterruptedException e) {
            if (made[0] != null) {
                made[0].close();
            }
            throw e;
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (made[0] != null) {
                made[0].close();
            }
            if (!refused[0]) {
                throw e;
            }
            // The failed subscription may have taken the read's connection with it (Qpid closes the whole connection
            // on some refusals): read once more without a view, as before views existed.
            LOG.debug("Reading the fleet registry of {} again without a view after: {}", collective, e.toString());
            result = reader.read(collective, connection -> {
            });
        }
        wholeReads++;
        Subscription sub = made[0];
        if (sub != null) {
            if (sub.seed(result.keep())) {
                current = sub;
            } else {
                LOG.debug("Fleet registry view of {} ended during the read ({}); the next discovery reads whole again", collective,
                        sub.invalid);
                sub.close();
            }
        }
        return result.fleet();
    }

    /** Declares, binds and consumes the view's queue on {@code connection}; {@code null} when the broker refuses. */
    private Subscription subscribe(Connection connection) {
        Channel channel = null;
        try {
            channel = connection.createChannel();
            boolean rabbitMq = Topology.isRabbitMq(connection);
            Topology.declareRegistry(channel, collective, rabbitMq, reader.replicated());
            long depth = channel.queueDeclarePassive(Topology.registryQueue(collective)).getMessageCount();
            long threshold = baseThreshold + 2 * depth;
            Topology.declareRegistryView(channel, queue, collective, rabbitMq, threshold + PREFETCH);
            channel.basicQos(PREFETCH);
            Subscription sub = new Subscription(channel, threshold, rabbitMq);
            // An explicit tag: see NodeHost on why generated tags break recovery on Qpid.
            channel.basicConsume(queue, false, "drover-registry-view-" + java.util.UUID.randomUUID(), sub);
            return sub;
        } catch (IOException | RuntimeException e) {
            String why = e.getCause() instanceof ShutdownSignalException signal ? signal.getMessage() : e.toString();
            if (refusedBefore) {
                LOG.debug("Could not follow the fleet registry of {} through {}: {}", collective, queue, why);
            } else {
                refusedBefore = true;
                LOG.warn("Could not follow the fleet registry of {} through the queue {} ({}); every discovery reads the registry "
                        + "whole, which is slower. On RabbitMQ with Drover's permissions, run drover broker setup again: runners "
                        + "may now bind their queue {} to the registry exchange", collective, queue, why, queue);
            }
            if (channel != null) {
                try {
                    channel.abort();
                } catch (IOException ignored) {
                    // the channel is gone already
                }
            }
            return null;
        }
    }

    /** One subscription to the registry exchange: the view from one whole read until it is invalidated. */
    private final class Subscription extends DefaultConsumer {
        private final long threshold;
        private final boolean rabbitMq;
        private final long started = System.nanoTime();
        /** Compacted registrations, then those delivered since; guarded by {@code this}. */
        private List<RegistryCompaction.Entry> view = new ArrayList<>();
        private List<RegistryCompaction.Entry> delivered = new ArrayList<>();
        private long deliveries;
        private long bytes;
        private long malformed;
        private long malformedSaid;
        /**
         * The fleet of the last {@link #fleet()} and until when (epoch ms) it stays right without new deliveries: compacting
         * the view again for every discovery cost a discovery of 1,000 nodes a third of the runner's CPU (profiled), while the
         * replies it waits for were arriving. Guarded by {@code this}.
         */
        private Fleet computed;
        private long unchangedUntil;
        /** Why the view may have missed something; {@code null} while it is valid. Guarded by {@code this}. */
        private volatile String invalid;

        Subscription(Channel channel, long threshold, boolean rabbitMq) {
            super(channel);
            this.threshold = threshold;
            this.rabbitMq = rabbitMq;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            synchronized (this) {
                if (invalid == null) {
                    take(body);
                }
            }
            try {
                // Acknowledged even once invalid: the queue drains (on Qpid it has no bound) until the next read deletes it.
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            } catch (IOException | RuntimeException e) {
                invalidate("could not acknowledge a registration: " + e);
            }
        }

        /** Holds {@code this}. */
        private void take(byte[] body) {
            deliveries++;
            if (deliveries >= threshold) {
                invalidate("received " + deliveries + " registrations since the read, more than a fleet's heartbeats (a flood?)");
                return;
            }
            RegistryCompaction.Entry entry = RegistryReader.entry(body, collective);
            if (entry == null) {
                malformed++;
                return;
            }
            delivered.add(entry);
            computed = null;
            bytes += body.length;
            if (delivered.size() >= Math.max(COMPACT_AFTER, view.size())) {
                compact();
            }
            if (bytes > RegistryReader.MAX_READ_BYTES) {
                invalidate("holds more than " + RegistryReader.MAX_READ_BYTES / (1024 * 1024) + " MiB of registrations");
            }
        }

        /** Compacts the view and the deliveries into the view; holds {@code this}. */
        private RegistryCompaction.Result compact() {
            List<RegistryCompaction.Entry> all = new ArrayList<>(view.size() + delivered.size());
            all.addAll(view);
            all.addAll(delivered);
            RegistryCompaction.Result result = RegistryCompaction.compact(all, clock.instant(), retireAfter);
            view = new ArrayList<>(result.keep());
            delivered = new ArrayList<>();
            bytes = 0;
            for (RegistryCompaction.Entry entry : view) {
                bytes += entry.body().length;
            }
            return result;
        }

        /** Starts the view from a whole read's compaction; {@code false} when the subscription already ended. */
        synchronized boolean seed(List<RegistryCompaction.Entry> kept) {
            if (invalid != null) {
                return false;
            }
            view = new ArrayList<>(kept);
            for (RegistryCompaction.Entry entry : kept) {
                bytes += entry.body().length;
            }
            return true;
        }

        /** The fleet from the view, or {@code null} when the view is no longer valid. */
        Fleet fleet() {
            if (System.nanoTime() - started > refreshAfter.toNanos()) {
                invalidate("older than " + refreshAfter.toSeconds() + " s, the refresh period");
            }
            if (!getChannel().isOpen()) {
                invalidate("its channel closed");
            }
            long queued = 0;
            if (rabbitMq && invalid == null) {
                try {
                    queued = getChannel().messageCount(queue);
                } catch (IOException | RuntimeException e) {
                    invalidate("could not count its queue: " + e);
                }
            }
            synchronized (this) {
                if (invalid == null && deliveries + queued >= threshold) {
                    invalidate(deliveries + " registrations received and " + queued + " queued since the read: its queue may have "
                            + "dropped some");
                }
                if (invalid != null) {
                    return null;
                }
                if (malformed > malformedSaid) {
                    LOG.warn("Fleet registry of {}: dropped {} malformed registration(s); someone other than Drover's agents "
                            + "publishes there", collective, malformed - malformedSaid);
                    malformedSaid = malformed;
                }
                Instant now = clock.instant();
                if (computed != null && delivered.isEmpty() && now.toEpochMilli() < unchangedUntil) {
                    // Nothing arrived and no node's silence reached the retirement age: the same fleet, read now.
                    return new Fleet(computed.hosts(), List.of(), now);
                }
                computed = compact().fleet();
                // The earliest moment a kept registration grows old enough to change the outcome (view is sorted by sent).
                unchangedUntil = view.isEmpty() ? Long.MAX_VALUE : view.get(0).registration().sent() + retireAfter.toMillis();
                return computed;
            }
        }

        void invalidate(String why) {
            synchronized (this) {
                if (invalid != null) {
                    return;
                }
                invalid = why;
                // Nothing kept once invalid: a flood must not hold memory until the next discovery.
                computed = null;
                view = new ArrayList<>();
                delivered = new ArrayList<>();
                bytes = 0;
            }
        }

        @Override
        public void handleCancel(String consumerTag) {
            invalidate("the broker cancelled its consumer (its queue was deleted?)");
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            invalidate("its channel shut down: " + sig.getMessage());
        }

        /** Ends the subscription and deletes its queue, as far as the channel still allows (an exclusive queue goes with the connection anyway). */
        void close() {
            invalidate("closed");
            Channel channel = getChannel();
            try {
                if (channel.isOpen()) {
                    channel.queueDelete(queue);
                    channel.close();
                } else if (channel.getConnection().isOpen()) {
                    Channel other = channel.getConnection().createChannel();
                    other.queueDelete(queue);
                    other.close();
                }
            } catch (IOException | TimeoutException | RuntimeException e) {
                LOG.debug("Deleting the registry view queue {}: {}", queue, e.toString());
            }
        }
    }
}
