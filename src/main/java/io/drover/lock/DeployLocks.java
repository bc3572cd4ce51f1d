package io.drover.lock;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.protocol.Names;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * Takes deploy locks on hosts of one collective, in the broker: no other service, and a dead holder's locks are
 * gone the moment its connection is. A host's lock is an exclusive queue
 * ({@link Topology#hostLock}); the broker lets one connection at a time declare it and refuses everyone else
 * (RabbitMQ: 405 RESOURCE_LOCKED; Qpid: 530 NOT_ALLOWED, closing the connection). Who holds it is a message in a plain queue beside it ({@link Topology#hostLockHolder}),
 * which others read without taking it, since an exclusive queue cannot be inspected by another connection.
 *
 * <p>All or nothing: an attempt declares the hosts' locks in sorted order on a fresh connection and, at the first
 * host held by another run, drops the connection and with it every lock it took (Qpid closes the whole connection
 * on that refusal anyway). No run ever waits while holding a lock, so two runs locking overlapping sets cannot
 * deadlock; see docs/architecture.md, "The deploy lock".
 */
public final class DeployLocks {
    private static final Logger LOG = LoggerFactory.getLogger(DeployLocks.class);
    /** AMQP reply code of a declare refused because another connection holds the exclusive queue. */
    static final int RESOURCE_LOCKED = 405;
    static final int ACCESS_REFUSED = 403;
    static final int NOT_ALLOWED = 530;
    /** How often a waiting run tries again; a little random on top, so waiting runs do not try in step. */
    static final Duration RETRY = Duration.ofSeconds(1);
    /** How long a run that found a host locked looks for the holder's record (it may be writing it just now). */
    static final Duration HOLDER_READ = Duration.ofSeconds(1);
    /** Named when the broker's refusal does not say which lock it refused (a broker whose texts differ). */
    static final String UNKNOWN_HOST = "one of them";
    /** Longest wait allowed. */
    public static final Duration MAX_WAIT = Duration.ofHours(24);

    private final BrokerConnector broker;
    private final String collective;

    public DeployLocks(BrokerConnector broker, String collective) {
        this.broker = Objects.requireNonNull(broker);
        this.collective = Names.require(Names.COLLECTIVE, collective, "collective");
    }

    /**
     * Locks every one of {@code hosts} for {@code holder}, or none: waits up to {@code wait} for other runs holding
     * any of them to finish.
     *
     * @throws LockedException when another run still holds one of them after {@code wait}, naming it
     * @throws IOException     when the broker cannot be reached or refuses the lock queues (permissions)
     */
    public HostLock acquire(SortedSet<String> hosts, LockHolder holder, Duration wait)
            throws LockedException, IOException, InterruptedException {
        Objects.requireNonNull(holder);
        if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("a lock wait must be 0 to " + MAX_WAIT.toHours() + " h, not " + wait);
        }
        SortedSet<String> sorted = Collections.unmodifiableSortedSet(new TreeSet<>(hosts));
        for (String host : sorted) {
            Names.require(Names.IDENTITY, host, "host identity");
        }
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        String lastHost = null;
        while (true) {
            Attempt attempt = attempt(sorted, holder);
            if (attempt.lock != null) {
                if (lastHost != null) {
                    LOG.info("Deploy lock of {} host(s) taken after waiting {} s", sorted.size(), Duration.ofNanos(System.nanoTime() - start).toSeconds());
                }
                return attempt.lock;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new LockedException(attempt.lockedHost, readHolder(attempt.lockedHost), sorted.size(),
                        wait.isZero() ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - start), Instant.now());
            }
            if (!attempt.lockedHost.equals(lastHost)) {
                LockHolder other = readHolder(attempt.lockedHost);
                LOG.info("Waiting up to {} s for another deploy to release {}: {}", Duration.ofNanos(left).toSeconds(),
                        attempt.lockedHost, other == null ? "it did not say who it is" : other.describe(Instant.now()));
                lastHost = attempt.lockedHost;
            }
            long pause = RETRY.toNanos() + ThreadLocalRandom.current().nextLong(RETRY.toNanos() / 4);
            Thread.sleep(Math.max(1, Math.min(pause, left) / 1_000_000));
        }
    }

    /** The lock, or the first host another run holds. */
    private record Attempt(HostLock lock, String lockedHost) {
    }

    /**
     * One attempt, pipelined: a synchronous declare per host costs a round trip each (23 s for 5,000 hosts on a
     * loaded RabbitMQ, measured), so the declares go out without waiting, in sorted order, and one synchronous call
     * after them learns whether all succeeded. The broker handles them in order and stops at the first refusal,
     * whose text names the queue (RabbitMQ: "… locked queue 'Q' in vhost …"; Qpid: "Queue 'Q' is exclusive, …").
     */
    private Attempt attempt(SortedSet<String> hosts, LockHolder holder) throws IOException {
        Connection connection = connect("drover deploy lock " + holder.caller());
        boolean kept = false;
        try {
            Channel channel = connection.createChannel();
            Map<String, String> hostOfLock = new HashMap<>();
            try {
                for (String host : hosts) {
                    String lock = Topology.hostLock(collective, host);
                    hostOfLock.put(lock, host);
                    // Exclusive, NOT auto-delete: on Qpid an exclusive auto-delete queue outlives its connection
                    // without an owner, and is free for others once the declaring channel closes (measured).
                    channel.queueDeclareNoWait(lock, false, true, false, null);
                }
                barrier(channel);
            } catch (IOException | ShutdownSignalException e) {
                if (isHeldByAnother(e)) {
                    String queue = quoted(replyText(e));
                    return new Attempt(null, hostOfLock.getOrDefault(queue, UNKNOWN_HOST));
                }
                throw refused(e, replyCode(e), Topology.hostLock(collective, "*"));
            }
            kept = true;
            HostLock lock = new HostLock(connection, collective, hosts, holder);
            lock.writeRecords(broker.userId());
            return new Attempt(lock, null);
        } finally {
            if (!kept) {
                // Drops every lock this attempt took.
                connection.abort(5_000);
            }
        }
    }

    /**
     * A synchronous call that returns only once the broker has handled everything sent before it on
     * {@code channel}, and fails with the reason when any of it closed the channel or connection.
     */
    static void barrier(Channel channel) throws IOException {
        channel.basicQos(0);
    }

    /** The first {@code '…'} of a broker's reply text, or {@code null}. */
    static String quoted(String text) {
        int start = text.indexOf('\'');
        int end = start < 0 ? -1 : text.indexOf('\'', start + 1);
        return end < 0 ? null : text.substring(start + 1, end);
    }

    /**
     * Who holds {@code host}'s lock, by the record beside it; {@code null} when there is none (yet) or it is not
     * one. Looks without taking it: the message goes back to the queue at once.
     */
    LockHolder readHolder(String host) {
        if (UNKNOWN_HOST.equals(host)) {
            return null;
        }
        String records = Topology.hostLockHolder(collective, host);
        long deadline = System.nanoTime() + HOLDER_READ.toNanos();
        try (Connection connection = connect("drover deploy lock reader")) {
            while (true) {
                Channel channel = connection.createChannel();
                GetResponse response;
                try {
                    response = channel.basicGet(records, false);
                } catch (IOException e) {
                    // No record queue (yet): the holder is writing it just now, or it is older than records, or gone.
                    response = null;
                }
                if (response != null) {
                    channel.basicReject(response.getEnvelope().getDeliveryTag(), true);
                    closeQuietly(channel);
                    try {
                        return LockHolder.decode(response.getBody());
                    } catch (IllegalArgumentException e) {
                        LOG.warn("The holder record of {}'s deploy lock is not one ({}); someone other than a Drover runner wrote it",
                                host, e.getMessage());
                        return null;
                    }
                }
                closeQuietly(channel);
                // Empty: another reader may have it in hand this instant, or the holder is writing it just now.
                if (System.nanoTime() - deadline >= 0) {
                    return null;
                }
                Thread.sleep(100);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot read who holds {}'s deploy lock: {}", host, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Connection connect(String name) throws IOException {
        try {
            return broker.connectOnce(name);
        } catch (TimeoutException e) {
            throw new IOException("Cannot connect to " + broker + " for the deploy lock: " + e.getMessage(), e);
        }
    }

    private IOException refused(Exception e, int code, String queue) {
        if (code == ACCESS_REFUSED) {
            return new IOException("The broker user " + broker.username() + " may not declare the deploy lock queue " + queue
                    + "; give runners the permissions of `drover broker setup --runner USER` (docs/security.md)", e);
        }
        String why = replyText(e);
        return new IOException("The broker refused the deploy lock queue " + queue + ": "
                + Names.printable(why.isEmpty() ? String.valueOf(e) : code + " " + why, 200), e);
    }

    /**
     * Whether a declare failed because another connection holds the exclusive queue: RabbitMQ closes the channel with
     * 405 RESOURCE_LOCKED; Qpid Broker-J closes the whole connection with 530 NOT_ALLOWED, "Queue '…' is exclusive,
     * but not created on this Connection."
     */
    static boolean isHeldByAnother(Throwable failure) {
        int code = replyCode(failure);
        return code == RESOURCE_LOCKED || (code == NOT_ALLOWED && replyText(failure).contains("exclusive"));
    }

    private static String replyText(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ShutdownSignalException signal) {
                if (signal.getReason() instanceof AMQP.Channel.Close close) {
                    return String.valueOf(close.getReplyText());
                }
                if (signal.getReason() instanceof AMQP.Connection.Close close) {
                    return String.valueOf(close.getReplyText());
                }
            }
        }
        return "";
    }

    /** The AMQP reply code that closed the channel or connection, or 0. */
    static int replyCode(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ShutdownSignalException signal) {
                Method reason = signal.getReason();
                if (reason instanceof AMQP.Channel.Close close) {
                    return close.getReplyCode();
                }
                if (reason instanceof AMQP.Connection.Close close) {
                    return close.getReplyCode();
                }
            }
        }
        return 0;
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException ignored) {
            // the connection goes next
        }
    }
}
