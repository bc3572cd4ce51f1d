package io.drover.lock;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.protocol.Names;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.AMQP;

import java.io.IOException;
import java.time.Duration;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deploy lock of a set of hosts, held by this run: one exclusive queue per host on a connection of its own.
 * The broker drops it the moment that connection ends, so a runner that dies (even by SIGKILL) releases it at
 * once; a lost connection is never recovered, the lock is reported lost instead ({@link #requireHeld}).
 */
public final class HostLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostLock.class);

    private final Connection connection;
    private final String collective;
    private final SortedSet<String> hosts;
    private final LockHolder holder;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile String lost;
    /** Writes the holder records; {@link #close} waits for it. */
    private volatile Thread recordWriter;
    /** Longest the holder records may take to be written (thousands of queues on a loaded broker). */
    static final Duration RECORDS_WAIT = Duration.ofSeconds(120);

    HostLock(Connection connection, String collective, SortedSet<String> hosts, LockHolder holder) {
        this.connection = connection;
        this.collective = collective;
        this.hosts = hosts;
        this.holder = holder;
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
        LOG.warn("Lost the deploy lock of {} host(s) ({}); another run may now deploy them", hosts.size(), lost);
    }

    /**
     * Writes who holds the lock beside each host's lock ({@link Topology#hostLockHolder}; the record of a holder
     * that died, if any, replaced), in the background: creating thousands of queues takes the broker seconds
     * (about 8 s for 5,000 on a loaded RabbitMQ, measured), and the deploy need not wait for it, only other runs'
     * messages do. A run refused meanwhile may not yet be told who holds a host.
     *
     * @param userId the {@code user_id} to stamp the records with, or {@code null}
     */
    void writeRecords(String userId) {
        byte[] record = holder.encode();
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json").userId(userId).build();
        recordWriter = new Thread(() -> {
            try {
                Channel channel = connection.createChannel();
                channel.confirmSelect();
                for (String host : hosts) {
                    String records = Topology.hostLockHolder(collective, host);
                    channel.queueDeclareNoWait(records, false, false, false, null);
                    channel.asyncRpc(new AMQP.Queue.Purge.Builder().queue(records).nowait(true).build());
                    channel.basicPublish("", records, properties, record);
                }
                channel.waitForConfirmsOrDie(RECORDS_WAIT.toMillis());
                channel.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                if (!released.get()) {
                    LOG.warn("Could not write who holds the deploy lock of {} host(s), so other runs refused it cannot name this one: {}. "
                            + "Runners need the permissions of `drover broker setup --runner USER` (docs/security.md)", hosts.size(),
                            Names.printable(String.valueOf(e.getMessage()), 300));
                }
            }
        }, "drover deploy lock records");
        recordWriter.setDaemon(true);
        recordWriter.start();
    }

    /** Waits until the holder records are written (or could not be); for tests. */
    void awaitRecords() throws InterruptedException {
        if (recordWriter != null) {
            recordWriter.join(RECORDS_WAIT.toMillis());
        }
    }

    /** The connection holding the lock; for tests that end it as a dying process would. */
    Connection connection() {
        return connection;
    }

    /** The hosts locked, sorted. */
    public SortedSet<String> hosts() {
        return hosts;
    }

    public LockHolder holder() {
        return holder;
    }

    /** Whether the lock is still held: not released, and its connection is alive. */
    public boolean isHeld() {
        return !released.get() && lost == null && connection.isOpen();
    }

    /**
     * Fails when the lock is no longer held, e.g. its connection to the broker dropped: another run may deploy the
     * same hosts now, so this one must not go on.
     */
    public void requireHeld() {
        if (released.get()) {
            throw new IllegalStateException("The deploy lock of " + hosts.size() + " host(s) was released already");
        }
        if (!isHeld()) {
            throw new IllegalStateException("The deploy lock of " + hosts.size() + " host(s) was lost (" + (lost == null
                    ? "its connection to the broker closed" : lost) + "), so another run may be deploying them now. "
                    + "Nothing more is sent; check the broker connection and run the feature again.");
        }
    }

    /**
     * Releases the lock: removes the holder records, then the lock queues, and waits until the broker has done so
     * (Qpid deletes a closed connection's queues in the background, slowly when there are thousands), then closes
     * the connection. In that order, so this never removes the record of a run that took a host after this one.
     */
    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            if (recordWriter != null) {
                recordWriter.join(RECORDS_WAIT.toMillis());
            }
            if (connection.isOpen()) {
                Channel channel = connection.createChannel();
                for (String host : hosts) {
                    channel.queueDeleteNoWait(Topology.hostLockHolder(collective, host), false, false);
                }
                for (String host : hosts) {
                    channel.queueDeleteNoWait(Topology.hostLock(collective, host), false, false);
                }
                DeployLocks.barrier(channel);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // e.g. Qpid closes the channel when a record is gone already; closing the connection drops the locks anyway
            LOG.debug("Releasing the deploy lock of {} host(s) by deleting its queues: {}", hosts.size(), e.toString());
        } finally {
            connection.abort(5_000);
        }
    }
}
