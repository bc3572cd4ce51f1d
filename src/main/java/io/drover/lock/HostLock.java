package io.drover.lock;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.protocol.Names;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
     * Releases the lock: removes the holder records, then closes the connection, which drops every lock queue.
     * In that order, so this never removes the record of a run that took one of the hosts after this one.
     */
    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            Channel channel = null;
            for (String host : hosts) {
                if (!connection.isOpen()) {
                    break;
                }
                try {
                    if (channel == null || !channel.isOpen()) {
                        channel = connection.createChannel();
                    }
                    channel.queueDelete(Topology.hostLockHolder(collective, host));
                } catch (IOException | RuntimeException e) {
                    // Qpid closes the channel when the record is gone already; the next holder replaces a stale one anyway
                    LOG.debug("Could not remove the holder record of {}'s deploy lock: {}", host, e.toString());
                }
            }
        } finally {
            connection.abort(5_000);
        }
    }
}
