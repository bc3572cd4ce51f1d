package io.drover.transport;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * The AMQP names of a collective. Per collective: a topic exchange for broadcasts (routing key = agent name),
 * a direct exchange for directed requests (routing key = node identity), and one queue per node bound to both.
 * Clients receive replies on a queue of their own ({@link #replyQueue}), through the default exchange.
 *
 * <p>Exchanges are non-durable and never auto-deleted: both sides declare them, so either may start first,
 * and a publish never races an exchange deletion. Node queues carry no {@code x-} arguments, which Qpid refuses.
 */
public final class Topology {
    /** Prefix of every name Drover declares; replies are never sent to a queue with this prefix. */
    public static final String PREFIX = "drover.";
    /**
     * Prefix of client reply queues. Not {@link #PREFIX}: agents refuse to reply to {@code drover.} names (node
     * queues), and agents already deployed must keep answering runners with the new queue names.
     */
    public static final String REPLY_QUEUE_PREFIX = "drover-reply.";
    /**
     * Correlation id prefix of a client's probe: an empty message sent to a node's queue only to learn whether the
     * queue still exists (the broker returns it when it does not). Agents drop probes without a word.
     */
    public static final String PROBE_PREFIX = "drover-probe:";
    private static final int MAX_CALLER_IN_NAME = 64;

    private Topology() {
    }

    public static String broadcastExchange(String collective) {
        return PREFIX + collective + ".broadcast";
    }

    public static String directedExchange(String collective) {
        return PREFIX + collective + ".directed";
    }

    public static String nodeQueue(String collective, String identity) {
        return PREFIX + collective + ".node." + identity;
    }

    /** The fanout exchange nodes publish their registrations to. */
    public static String registryExchange(String collective) {
        return PREFIX + collective + ".registry";
    }

    /** The durable queue holding a collective's registrations, compacted by the runners that read it. */
    public static String registryQueue(String collective) {
        return PREFIX + collective + ".registry";
    }

    /** An exclusive queue a runner declares while it compacts the registry: the broker's own mutual exclusion. */
    public static String registryLock(String collective) {
        return PREFIX + collective + ".registry.lock";
    }

    /**
     * The deploy lock of one host: a durable queue that never holds a message, which the runner deploying the host
     * holds with an exclusive consumer (see {@code io.drover.lock}). A name longer than AMQP's 255 bytes ends in the
     * identity's SHA-256 instead, after a {@code ~} no identity contains.
     */
    public static String hostLock(String collective, String identity) {
        return bounded(PREFIX + collective + ".lock.", identity);
    }

    /** The queue of records saying which run holds which hosts' deploy locks, for other runs to name the holder. */
    public static String lockHolders(String collective) {
        return PREFIX + collective + ".lock-holders";
    }

    /** An exclusive queue that exists exactly as long as the connection of the run holding deploy locks does. */
    public static String lockRun(String collective, String run) {
        return PREFIX + collective + ".lock-run." + run;
    }

    private static String bounded(String prefix, String identity) {
        String name = prefix + identity;
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_QUEUE_NAME_BYTES) {
            return name;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return prefix + "~" + java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** AMQP 0-9-1's limit on a queue name (a short string). */
    static final int MAX_QUEUE_NAME_BYTES = 255;

    /**
     * Declares the registry's durable exchange and queue and binds them; idempotent. Durable, so registrations
     * survive a broker restart: the registry must remember a node whose agent is down, that is its purpose.
     *
     * <p>On RabbitMQ ({@code rabbitMq}), a party listing several brokers ({@code replicated}: a cluster) makes it a
     * <b>quorum queue</b>, replicated over the cluster's nodes. A classic queue lives on one node: while that node is
     * down no new runner can read the registry, so no deploy of the collective starts, and the registrations sent
     * meanwhile are lost. A registry that exists is used as it is, whatever its kind, so parties that disagree (one
     * lists a single broker) never fail on each other's declaration (RabbitMQ refuses a re-declaration with other
     * arguments): whoever declares it first decides. Qpid Broker-J has no quorum queues. See docs/protocol.md,
     * "Queue kinds".
     */
    public static void declareRegistry(Channel channel, String collective, boolean rabbitMq, boolean replicated) throws IOException {
        channel.exchangeDeclare(registryExchange(collective), BuiltinExchangeType.FANOUT, true, false, null);
        String queue = registryQueue(collective);
        if (!rabbitMq) {
            channel.queueDeclare(queue, true, false, false, null);
        } else if (!exists(channel.getConnection(), queue)) {
            channel.queueDeclare(queue, true, false, false, replicated ? java.util.Map.of("x-queue-type", "quorum") : null);
        }
        channel.queueBind(queue, registryExchange(collective), "");
    }

    /** Whether {@code queue} exists, asked on a channel of its own: the broker closes the channel a 404 is answered on. */
    static boolean exists(Connection connection, String queue) throws IOException {
        Channel probe = connection.createChannel();
        if (probe == null) {
            throw new IOException("no channel left on connection " + connection.getClientProvidedName());
        }
        try {
            probe.queueDeclarePassive(queue);
            return true;
        } catch (IOException e) {
            if (BrokerFailures.replyCode(e) == AMQP.NOT_FOUND) {
                return false;
            }
            throw e;
        } finally {
            if (probe.isOpen()) {
                try {
                    probe.close();
                } catch (IOException | TimeoutException | AlreadyClosedException e) {
                    // the answer is in; the channel goes with the connection anyway
                }
            }
        }
    }

    /** Whether {@code connection} is to RabbitMQ (rather than Qpid Broker-J), from the broker's own product name. */
    public static boolean isRabbitMq(Connection connection) {
        Object product = connection.getServerProperties().get("product");
        return product != null && product.toString().toLowerCase(java.util.Locale.ROOT).contains("rabbitmq");
    }

    /**
     * A new reply queue name for {@code caller}: {@code drover-reply.<caller>.<random UUID>}. The caller part
     * (characters other than letters, digits, {@code _ . @ -} replaced, at most 64) tells operators whose queue it
     * is; the UUID keeps other broker users from guessing it.
     */
    public static String replyQueue(String caller) {
        String safe = caller == null ? "" : caller.replaceAll("[^A-Za-z0-9_.@-]", "_");
        if (safe.length() > MAX_CALLER_IN_NAME) {
            safe = safe.substring(0, MAX_CALLER_IN_NAME);
        }
        return REPLY_QUEUE_PREFIX + (safe.isEmpty() ? "client" : safe) + "." + java.util.UUID.randomUUID();
    }

    /**
     * Declares a node's queue: <b>exclusive</b> and auto-delete, never durable, no arguments. The one place node
     * queues are declared, so their kind cannot drift between the agent, its repairs and the emulator.
     *
     * <p>Exclusive because RabbitMQ deprecates transient non-exclusive queues and refuses to declare them by default
     * from 4.3 on, and because the broker itself then refuses a second connection that declares the same node's queue
     * (RabbitMQ: 405 RESOURCE_LOCKED; Qpid Broker-J: 530 NOT_ALLOWED, closing that connection): two agents with one
     * identity cannot both serve it. The queue goes with its connection (RabbitMQ) or its channel (Qpid scopes
     * an exclusive auto-delete queue to the declaring session), and with its consumer (auto-delete), so a directed
     * request to a stopped node is returned at once. Qpid refuses {@code x-} arguments. The reasoning and the
     * measured cost: docs/protocol.md, "Queue kinds".
     */
    public static com.rabbitmq.client.AMQP.Queue.DeclareOk declareNodeQueue(Channel channel, String queue) throws IOException {
        return channel.queueDeclare(queue, false, true, true, null);
    }

    /**
     * Declares a client's reply queue {@code name} ({@link #replyQueue}), not exclusive and not auto-delete, so it keeps
     * its name and the replies sent meanwhile across the client's reconnection, and durable, because RabbitMQ
     * deprecates transient non-exclusive queues (refused by default from 4.3 on). A client that may fail over to
     * another node of a cluster ({@code replicated}: it lists several brokers) gets, on RabbitMQ, a <b>quorum
     * queue</b>: replicated over the cluster's nodes, it outlives the node the client was connected to, where a
     * durable classic queue would be unreachable until that node came back and the client would get no reply meanwhile.
     * A client of one broker gets a classic queue: a quorum queue writes every reply to disk before delivering it,
     * 150 to 200 ms more per round trip at 1,000 nodes (measured), for a failover it cannot make. On RabbitMQ
     * ({@code rabbitMq}) {@code x-expires} ({@code expiry}) deletes the queue of a client that died without deleting
     * it; Qpid Broker-J has no quorum queues and refuses {@code x-} arguments. Reasoning and measured cost:
     * docs/protocol.md, "Queue kinds".
     */
    public static void declareReplyQueue(Channel channel, String name, boolean rabbitMq, boolean replicated, java.time.Duration expiry)
            throws IOException {
        java.util.Map<String, Object> arguments = !rabbitMq ? null : replicated
                ? java.util.Map.of("x-queue-type", "quorum", "x-expires", expiry.toMillis())
                : java.util.Map.of("x-expires", expiry.toMillis());
        channel.queueDeclare(name, true, false, false, arguments);
    }

    /**
     * The queue through which a client follows the registry between reads ({@code io.drover.fleet.RegistryView}):
     * its reply queue's name and {@code .registry}, so a runner's permissions on its reply queues cover it.
     */
    public static String registryView(String replyQueue) {
        return replyQueue + ".registry";
    }

    /**
     * Declares a client's registry view queue {@code name} and binds it to the registry exchange of {@code collective}.
     * <b>Exclusive</b>, not durable, not auto-delete: it goes with the connection on both brokers (a transient
     * non-exclusive queue is deprecated by RabbitMQ). On RabbitMQ ({@code rabbitMq}) {@code x-max-length}
     * ({@code maxLength}) bounds what a flood can pile up in it, with the default overflow (drop the oldest):
     * {@code reject-publish} would fail the agents' confirmed registrations, which the fanout also routes here. Qpid
     * Broker-J refuses {@code x-} arguments; there the view's own count of deliveries bounds it.
     */
    public static void declareRegistryView(Channel channel, String name, String collective, boolean rabbitMq, long maxLength)
            throws IOException {
        channel.queueDeclare(name, false, true, false, rabbitMq ? java.util.Map.of("x-max-length", maxLength) : null);
        channel.queueBind(name, registryExchange(collective), "");
    }

    /** Declares both exchanges of a collective; idempotent. */
    public static void declareExchanges(Channel channel, String collective) throws IOException {
        channel.exchangeDeclare(broadcastExchange(collective), BuiltinExchangeType.TOPIC, false, false, null);
        channel.exchangeDeclare(directedExchange(collective), BuiltinExchangeType.DIRECT, false, false, null);
    }

    /** Deletes both exchanges of a collective, e.g. after a test that used a throwaway collective. */
    public static void deleteExchanges(Channel channel, String collective) throws IOException {
        channel.exchangeDelete(broadcastExchange(collective));
        channel.exchangeDelete(directedExchange(collective));
    }

    /** Deletes the registry of a collective, e.g. after a test that used a throwaway collective. */
    public static void deleteRegistry(Channel channel, String collective) throws IOException {
        channel.queueDelete(registryQueue(collective));
        channel.exchangeDelete(registryExchange(collective));
    }
}
