package io.drover.lock;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.protocol.Names;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.SortedSet;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deploy lock of a set of hosts, held by this run: an exclusive consumer on each host's lock queue, on a
 * connection of its own. The broker drops them the moment that connection ends, so a runner that dies (even by
 * SIGKILL) releases them at once; a lost connection is never recovered, the lock is reported lost instead
 * ({@link #requireHeld}).
 */
public final class HostLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostLock.class);
    /** Longest the holder record may take to be written. */
    static final Duration RECORD_WAIT = Duration.ofSeconds(60);

    private final Connection connection;
    private final BrokerConnector broker;
    private final String collective;
    private final HolderRecord record;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile String lost;

    private final LockConsumer consumer;

    HostLock(Connection connection, BrokerConnector broker, String collective, HolderRecord record, LockConsumer consumer) {
        this.connection = connection;
        this.consumer = consumer;
        this.broker = broker;
        this.collective = collective;
        this.record = record;
        connection.addShutdownListener(this::closed);
        if (!connection.isOpen()) {
            closed(connection.getCloseReason());
        }
    }

    private void closed(ShutdownSignalException cause) {
        if (released.get() || (cause != null && cause.isInitiatedByApplication())) {
            return;
        }
        lost = cause == null ? "the connection closed" : Names.printable(String.valueOf(cause.getMessage()), 200);
        LOG.warn("Lost the deploy lock of {} host(s) ({}); another run may now deploy them", record.hosts().size(), lost);
    }

    /**
     * Writes who holds the lock to the collective's holder records, and waits until the broker has it. Failing to
     * costs only the naming: other runs refused are told the holder did not say who it is.
     *
     * @param userId the {@code user_id} to stamp the record with, or {@code null}
     */
    void writeRecord(String userId) {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json").userId(userId).build();
        try {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            HolderRecords.declare(channel, collective);
            channel.basicPublish("", Topology.lockHolders(collective), properties, record.encode());
            channel.waitForConfirmsOrDie(RECORD_WAIT.toMillis());
            channel.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | TimeoutException | RuntimeException e) {
            LOG.warn("Could not write who holds the deploy lock of {} host(s), so other runs refused it cannot name this one: {}. "
                    + "Runners need the permissions of `drover broker setup --runner USER` (docs/security.md)", record.hosts().size(),
                    Names.printable(String.valueOf(e.getMessage()), 300));
        }
    }

    /** The connection holding the lock; for tests that end it as a dying process would. */
    Connection connection() {
        return connection;
    }

    /** The hosts locked, sorted. */
    public SortedSet<String> hosts() {
        return record.hosts();
    }

    public LockHolder holder() {
        return record.holder();
    }

    /** Whether the lock is still held: not released, and its connection is alive. */
    public boolean isHeld() {
        return !released.get() && lost == null && consumer.lost() == null && connection.isOpen();
    }

    /**
     * Fails when the lock is no longer held, e.g. its connection to the broker dropped: another run may deploy the
     * same hosts now, so this one must not go on.
     */
    public void requireHeld() {
        if (released.get()) {
            throw new IllegalStateException("The deploy lock of " + hosts().size() + " host(s) was released already");
        }
        if (!isHeld()) {
            String why = lost != null ? lost : consumer.lost() != null ? consumer.lost() : "its connection to the broker closed";
            throw new IllegalStateException("The deploy lock of " + hosts().size() + " host(s) was lost (" + why
                    + "), so another run may be deploying them now. "
                    + "Nothing more is sent; check the broker connection and run the feature again.");
        }
    }

    /**
     * Releases the lock: removes this run's holder record (and those of runs that ended without removing theirs),
     * then closes the connection, which drops every consumer holding a host's lock. The broker drops them an instant
     * after the close returns; a run refused in that instant finds no holder and tries again
     * ({@link DeployLocks#UNNAMED_GRACE}).
     */
    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try (HolderRecords.Liveness liveness = new HolderRecords.Liveness(broker, collective)) {
            if (connection.isOpen()) {
                HolderRecords.browse(connection, collective, other -> other.run().equals(record.run()) || !liveness.isAlive(other.run())
                        ? HolderRecords.Verdict.REMOVE : HolderRecords.Verdict.KEEP);
            }
        } catch (IOException | RuntimeException e) {
            // The record stays until another run finds its run ended; closing the connection drops the locks anyway.
            LOG.debug("Removing the holder record of the deploy lock of {} host(s): {}", hosts().size(), e.toString());
        } finally {
            connection.abort(5_000);
        }
    }
}
