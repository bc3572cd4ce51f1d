package io.drover.lock;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.protocol.Names;
import io.drover.transport.BrokerConnector;
import io.drover.transport.BrokerFailures;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * Takes deploy locks on hosts of one collective, in the broker: no other service, and a dead holder's locks are
 * gone the moment its connection is. A host's lock is a durable queue that never holds a message
 * ({@link Topology#hostLock}), held by an exclusive consumer: the broker lets one consumer at a time hold it and
 * refuses every other (RabbitMQ: 403 "in exclusive use"; Qpid: the same refusal in its words), and drops it with
 * the holder's channel. Registering a consumer costs the broker a fraction of creating a queue, so the queues are
 * made once per host (on first use, or when RabbitMQ expired an unused one) and every later deploy only consumes.
 * Who holds which hosts is one record per run in the collective's holder records ({@link Topology#lockHolders}),
 * which others read without taking; a record counts only while the run's marker queue ({@link Topology#lockRun},
 * exclusive to its connection) exists.
 *
 * <p>All or nothing: an attempt consumes the hosts' locks in sorted order on a fresh connection and, at the first
 * host held by another run, drops the connection and with it every lock it took. No run ever waits while holding a
 * lock, so two runs locking overlapping sets cannot deadlock; see docs/architecture.md, "The deploy lock".
 */
public final class DeployLocks {
    private static final Logger LOG = LoggerFactory.getLogger(DeployLocks.class);
    /** AMQP reply code of a declare refused because another connection holds the exclusive queue. */
    static final int RESOURCE_LOCKED = 405;
    static final int ACCESS_REFUSED = 403;
    static final int NOT_FOUND = 404;
    static final int NOT_ALLOWED = 530;
    /** How often a waiting run tries again; a little random on top, so waiting runs do not try in step. */
    static final Duration RETRY = Duration.ofSeconds(1);
    /**
     * How long a run refused by a lock whose holder it cannot find tries again, even when told not to wait: the
     * broker frees a finished run's locks an instant after its connection closes, and a run that has just taken a
     * lock writes its record an instant later.
     */
    static final Duration UNNAMED_GRACE = Duration.ofSeconds(5);
    /** How often a run tries again within {@link #UNNAMED_GRACE}. */
    static final Duration GRACE_RETRY = Duration.ofMillis(200);
    /** An unused host lock is deleted after this (RabbitMQ {@code x-expires}), so gone hosts leave nothing for long. */
    static final Duration LOCK_QUEUE_EXPIRY = Duration.ofDays(1);
    /** Most holder records looked at in one pass; more are left unread (someone is filling the queue). */
    static final int MAX_RECORDS = 1000;
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
        Long graceEnd = null;
        String lastHost = null;
        while (true) {
            Attempt attempt = attempt(sorted, holder);
            if (attempt.lock != null) {
                if (lastHost != null) {
                    LOG.info("Deploy lock of {} host(s) taken after waiting {} s", sorted.size(), Duration.ofNanos(System.nanoTime() - start).toSeconds());
                }
                return attempt.lock;
            }
            LockHolder other = holderOf(attempt.lockedHost);
            long now = System.nanoTime();
            if (other == null) {
                graceEnd = graceEnd == null ? now + UNNAMED_GRACE.toNanos() : graceEnd;
            } else {
                graceEnd = null;
            }
            long end = graceEnd == null ? deadline : Math.max(deadline, graceEnd);
            long left = end - now;
            if (left <= 0) {
                throw new LockedException(attempt.lockedHost, other, sorted.size(),
                        wait.isZero() ? Duration.ZERO : Duration.ofNanos(now - start), Instant.now());
            }
            if (other != null && !attempt.lockedHost.equals(lastHost)) {
                LOG.info("Waiting up to {} s for another deploy to release {}: {}", Duration.ofNanos(left).toSeconds(),
                        attempt.lockedHost, other.describe(Instant.now()));
                lastHost = attempt.lockedHost;
            }
            Duration step = other == null ? GRACE_RETRY : RETRY;
            long pause = step.toNanos() + ThreadLocalRandom.current().nextLong(step.toNanos() / 4);
            Thread.sleep(Math.max(1, Math.min(pause, left) / 1_000_000));
        }
    }

    /** The lock, or the first host another run holds. */
    private record Attempt(HostLock lock, String lockedHost) {
    }

    /**
     * One attempt, pipelined: a synchronous call per host costs a round trip each, so the consumes go out without
     * waiting, in sorted order, and one synchronous call after them learns whether all succeeded. The broker handles
     * them in order and stops at the first refusal, whose text names the queue (RabbitMQ: "queue 'Q' in vhost '/' in
     * exclusive use"). A lock queue that does not exist yet fails its consume (404); then the attempt declares them
     * all and consumes again.
     */
    private Attempt attempt(SortedSet<String> hosts, LockHolder holder) throws IOException {
        Connection connection = connect("drover deploy lock " + holder.caller());
        boolean kept = false;
        try {
            String run = UUID.randomUUID().toString();
            Channel channel = connection.createChannel();
            // The run's marker first: a record naming this run is believed only while it exists. Exclusive, NOT
            // auto-delete: Qpid keeps an exclusive auto-delete queue, ownerless, after its connection ends.
            channel.queueDeclare(Topology.lockRun(collective, run), false, true, false, null);
            Map<String, String> hostOfLock = new LinkedHashMap<>();
            for (String host : hosts) {
                hostOfLock.put(Topology.hostLock(collective, host), host);
            }
            Map<String, Object> arguments = lockQueueArguments(connection);
            LockConsumer consumer = null;
            for (int pass = 0; ; pass++) {
                try {
                    // The consumers are registered without amqp-client knowing them (pipelined, nowait): what the
                    // broker sends them (a message someone published into a lock, a cancel when someone deleted one)
                    // reaches the channel's default consumer.
                    consumer = new LockConsumer(channel, hostOfLock);
                    channel.setDefaultConsumer(consumer);
                    if (pass > 0) {
                        for (String lock : hostOfLock.keySet()) {
                            channel.queueDeclareNoWait(lock, true, false, false, arguments);
                        }
                    }
                    for (String lock : hostOfLock.keySet()) {
                        channel.asyncRpc(new AMQP.Basic.Consume.Builder().queue(lock).consumerTag(lock)
                                .noAck(true).exclusive(true).nowait(true).build());
                    }
                    barrier(channel);
                    break;
                } catch (IOException | ShutdownSignalException e) {
                    if (isHeldByAnother(e)) {
                        return new Attempt(null, hostOfLock.getOrDefault(quoted(replyText(e)), UNKNOWN_HOST));
                    }
                    if (BrokerFailures.replyCode(e) == NOT_FOUND && pass == 0 && connection.isOpen()) {
                        channel = connection.createChannel();
                        continue;
                    }
                    throw refused(e, BrokerFailures.replyCode(e), Topology.hostLock(collective, "*"));
                }
            }
            kept = true;
            HostLock lock = new HostLock(connection, broker, collective, new HolderRecord(run, holder, hosts), consumer);
            lock.writeRecord(broker.userId());
            return new Attempt(lock, null);
        } finally {
            if (!kept) {
                // Drops every lock this attempt took.
                connection.abort(5_000);
            }
        }
    }

    /**
     * Deletes the lock queues of {@code hosts} and the collective's holder records, e.g. when hosts are decommissioned
     * or a throwaway collective is cleaned up. A lock held right now is dropped with its queue: its holder notices at
     * its next step ("the deploy lock … was lost") and sends nothing more.
     */
    public void forget(Collection<String> hosts) throws IOException {
        try (Connection connection = connect("drover deploy lock clean-up")) {
            Channel channel = connection.createChannel();
            for (String host : hosts) {
                channel.queueDeleteNoWait(Topology.hostLock(collective, Names.require(Names.IDENTITY, host, "host identity")), false, false);
            }
            channel.queueDeleteNoWait(Topology.lockHolders(collective), false, false);
            barrier(channel);
        }
    }

    /** RabbitMQ deletes a lock queue unused this long; Qpid refuses {@code x-} arguments, and keeps its queues in memory. */
    static Map<String, Object> lockQueueArguments(Connection connection) {
        Object product = connection.getServerProperties().get("product");
        boolean rabbitMq = product != null && product.toString().toLowerCase(Locale.ROOT).contains("rabbitmq");
        return rabbitMq ? Map.of("x-expires", LOCK_QUEUE_EXPIRY.toMillis()) : null;
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
     * Who holds {@code host}'s lock by the holder records, or {@code null} when no record of a live run names it
     * (the holder has only just taken it, or finished an instant ago, or did not say). Looks without taking: the
     * records go back to the queue when its channel closes; records of runs that ended are removed on the way.
     */
    LockHolder holderOf(String host) {
        if (UNKNOWN_HOST.equals(host)) {
            return null;
        }
        try (Connection connection = connect("drover deploy lock reader");
             HolderRecords.Liveness liveness = new HolderRecords.Liveness(broker, collective)) {
            LockHolder[] found = new LockHolder[1];
            HolderRecords.browse(connection, collective, record -> {
                if (!record.hosts().contains(host)) {
                    return HolderRecords.Verdict.KEEP;
                }
                if (!liveness.isAlive(record.run())) {
                    return HolderRecords.Verdict.REMOVE;
                }
                if (found[0] == null || record.holder().since().isAfter(found[0].since())) {
                    found[0] = record.holder();
                }
                return HolderRecords.Verdict.KEEP;
            });
            return found[0];
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot read who holds {}'s deploy lock: {}", host, e.toString());
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
     * Whether a consume failed because another consumer holds the lock: RabbitMQ closes the channel with 403
     * ACCESS_REFUSED, "queue '…' in vhost '…' in exclusive use". Also a lock queue declared exclusive by a runner
     * older than this one: RabbitMQ 405 RESOURCE_LOCKED; Qpid Broker-J 530 NOT_ALLOWED, "Queue '…' is exclusive, …".
     */
    static boolean isHeldByAnother(Throwable failure) {
        int code = BrokerFailures.replyCode(failure);
        String text = replyText(failure);
        return code == RESOURCE_LOCKED || ((code == ACCESS_REFUSED || code == NOT_ALLOWED) && text.contains("exclusive"));
    }

    static String replyText(Throwable failure) {
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

}
