package io.drover.agent;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.catalog.RpcutilCatalog;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Names;
import io.drover.protocol.ProtocolException;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Connects nodes to the broker and serves their requests: one queue per node and collective, bound to the
 * broadcast exchange for each enabled agent and to the directed exchange for the node's identity. A real
 * agent hosts one node; the sandbox and the emulator host many over a few shared connections.
 *
 * <p>A node that loses its queue or its channel (someone deleted the queue, the broker closed the channel)
 * gets them back within seconds: a cancelled consumer or a closed channel is noticed at once, and a
 * self-check every {@value #SELF_CHECK_INTERVAL_MS} ms asks the broker whether each node's queue still exists
 * and has a consumer. A whole lost connection is amqp-client's automatic recovery's job. Whatever a request
 * throws, the threads that deliver and serve survive it; see {@link FatalErrorHandler} for errors after which
 * the JVM itself is not to be trusted.
 */
public final class NodeHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHost.class);
    /** A reply-to must look like a queue name and never be one of Drover's own node queues. */
    private static final Pattern REPLY_TO = Pattern.compile("[A-Za-z0-9_.:@/+-]{1,255}");
    /** Requests waiting for their signature check beyond which the oldest are dropped (see {@link SignatureChecks}). */
    static final int SIGNATURE_CHECK_BACKLOG = 2_000;
    /** How often every node's channel, consumer and queue are checked. */
    static final long SELF_CHECK_INTERVAL_MS = 3_000;
    /** Queues asked about per self-check, so a large emulated fleet does not flood the broker with checks. */
    private static final int QUEUE_CHECKS_PER_ROUND = 100;

    private final BrokerConnector broker;
    private final RequestHandler handler;
    private final Options options;
    private final ThreadPoolExecutor executor;
    private final List<Connection> connections = new ArrayList<>();
    private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();
    private final DecodedRequests decoded = new DecodedRequests();
    private final SignatureChecks signatureChecks;
    private final ExecutorService consumerThreads;
    private final Registrar registrar;
    private final Map<String, Node> hostedNodes = new ConcurrentHashMap<>();
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeats;
    /** Runs the self-check and every repair, one at a time, off the broker's threads. */
    private final ScheduledExecutorService healer;
    /** Connections amqp-client is recovering: their queues and consumers come back without help. */
    private final Set<Connection> recovering = ConcurrentHashMap.newKeySet();
    private int checkCursor;
    private volatile boolean closed;
    private int hosted;
    /** Longest close() waits for the broker to take the goodbyes and consumer cancels before disconnecting anyway. */
    static final Duration QUIESCE_LIMIT = Duration.ofSeconds(30);

    /**
     * How a host uses the broker and threads.
     *
     * @param name               connection name prefix shown by the broker
     * @param threads            threads running actions
     * @param queueCapacity      requests waiting for a thread before new ones are answered "busy"
     * @param nodesPerConnection nodes sharing one connection (one channel each; Qpid allows 256 channels)
     * @param registrationInterval time between heartbeats to the fleet registry; zero registers nothing at all (as
     *                           agents older than the registry did; for tests)
     * @param onFatalError       what to do after an Error other than a stack overflow
     */
    public record Options(String name, int threads, int queueCapacity, int nodesPerConnection, Duration registrationInterval,
                          FatalErrorHandler onFatalError) {
        /** Five minutes: a runner reports a missing node with how long ago it was last heard from. */
        public static final Duration DEFAULT_REGISTRATION_INTERVAL = Duration.ofMinutes(5);

        /** Options whose fatal errors halt the JVM, as a real agent's should, registering every five minutes. */
        public Options(String name, int threads, int queueCapacity, int nodesPerConnection) {
            this(name, threads, queueCapacity, nodesPerConnection, DEFAULT_REGISTRATION_INTERVAL, FatalErrorHandler.halt());
        }

        public Options(String name, int threads, int queueCapacity, int nodesPerConnection, Duration registrationInterval) {
            this(name, threads, queueCapacity, nodesPerConnection, registrationInterval, FatalErrorHandler.halt());
        }

        public Options(String name, int threads, int queueCapacity, int nodesPerConnection, FatalErrorHandler onFatalError) {
            this(name, threads, queueCapacity, nodesPerConnection, DEFAULT_REGISTRATION_INTERVAL, onFatalError);
        }

        public static Options agent(String identity) {
            return new Options("drover-agent " + identity, 8, 1_000, 1, DEFAULT_REGISTRATION_INTERVAL, FatalErrorHandler.halt());
        }

        /** Many emulated nodes: sandbox actions never block, so a thread per core and a bit more is enough. */
        public static Options fleet(String name) {
            return new Options(name, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), 100_000, 200,
                    DEFAULT_REGISTRATION_INTERVAL, FatalErrorHandler.stopNode());
        }

        public Options withFatalErrorHandler(FatalErrorHandler handler) {
            return new Options(name, threads, queueCapacity, nodesPerConnection, registrationInterval, handler);
        }

        public Options withRegistrationInterval(Duration interval) {
            return new Options(name, threads, queueCapacity, nodesPerConnection, interval, onFatalError);
        }
    }

    private record Subscription(Node node, String collective, Channel channel, String consumerTag, NodeConsumer consumer) {
        String queue() {
            return Topology.nodeQueue(collective, node.identity());
        }
    }

    public NodeHost(BrokerConnector broker, RequestHandler handler, Options options) {
        this.broker = broker;
        this.handler = handler;
        this.options = options;
        AtomicInteger threadIds = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(options.queueCapacity()), runnable -> {
            Thread thread = new Thread(runnable, options.name() + " worker-" + threadIds.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true);
        this.signatureChecks = new SignatureChecks(options.name(), SignatureChecks.defaultThreads(), SIGNATURE_CHECK_BACKLOG);
        // One small pool delivers for every connection; amqp-client would start one per connection otherwise.
        AtomicInteger consumerIds = new AtomicInteger();
        this.consumerThreads = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), runnable -> {
            Thread thread = new Thread(runnable, options.name() + " delivery-" + consumerIds.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.registrar = new Registrar(options.registrationInterval(), broker.userId());
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, options.name() + " registration");
            thread.setDaemon(true);
            return thread;
        });
        long every = options.registrationInterval().toMillis();
        if (every > 0) {
            heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        }
        this.healer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, options.name() + " self-check");
            thread.setDaemon(true);
            return thread;
        });
        healer.scheduleWithFixedDelay(this::selfCheck, SELF_CHECK_INTERVAL_MS, SELF_CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Connects the nodes and starts serving them; returns once every node's queue is consumed. */
    public synchronized void add(List<Node> nodes) throws IOException, TimeoutException {
        if (hosted == 0 && !nodes.isEmpty()) {
            handler.warmUp(nodes.get(0));
        }
        Set<String> declared = new HashSet<>();
        for (Node node : nodes) {
            if (subscriptions.containsKey(node.identity())) {
                throw new IllegalArgumentException("Node " + node.identity() + " is already hosted here");
            }
            boolean opened = connections.size() <= hosted / options.nodesPerConnection();
            Connection connection = connectionFor(hosted);
            Channel channel = null;
            List<Subscription> subs = new ArrayList<>();
            String collective = node.collectives().get(0);
            try {
                channel = connection.createChannel();
                for (String each : node.collectives()) {
                    collective = each;
                    if (declared.add(System.identityHashCode(connection) + "/" + collective)) {
                        Topology.declareExchanges(channel, collective);
                        // Not on the node's channel: amqp-client re-declares the registry on the channel it was
                        // declared on when the connection recovers, and on a cluster whose node holding the durable
                        // registry is down that fails (404, home node down) and closes the channel, so the node's own
                        // queue, bindings and consumer after it were never restored.
                        Topology.declareRegistry(registrationChannel(connection), collective, Topology.isRabbitMq(connection),
                                broker.uris().size() > 1);
                    }
                    subs.add(subscribe(channel, node, collective));
                }
            } catch (IOException | RuntimeException e) {
                // A caller retrying add() must not leave a connection behind per attempt.
                abandon(channel, opened ? connection : null);
                BrokerRefusedException refused = BrokerRefusedException.explain(e,
                        Topology.nodeQueue(collective, node.identity()), broker.username());
                if (refused != null) {
                    throw refused;
                }
                throw e;
            }
            hosted++;
            subscriptions.put(node.identity(), subs);
            hostedNodes.put(node.identity(), node);
            started.put(node.identity(), System.currentTimeMillis());
            // Only now, with its queue consumed, may a runner wait for this node: it can answer.
            register(node, subs.get(0).channel(), Registrar.Kind.HELLO);
        }
    }

    /**
     * Publishes one kind of registration of {@code node} in each of its collectives; a failure is logged, never thrown.
     * Registrations go out on a channel of their own per connection: a publish the broker refuses (a deleted
     * exchange, a permission) closes the channel it was sent on, and that must never be the node's consumer channel.
     */
    private void register(Node node, Channel nodeChannel, Registrar.Kind kind) {
        if (options.registrationInterval().isZero()) {
            return;
        }
        Channel channel;
        try {
            channel = registrationChannel(nodeChannel.getConnection());
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} could not open a channel for its {} to the fleet registry: {}", node.identity(), kind, e.toString());
            return;
        }
        long since = started.getOrDefault(node.identity(), System.currentTimeMillis());
        for (String collective : node.collectives()) {
            try {
                switch (kind) {
                    case HELLO -> registrar.hello(channel, node, collective, since);
                    case HEARTBEAT -> registrar.heartbeat(channel, node, collective, since);
                    case GOODBYE -> registrar.goodbye(channel, node, collective, since);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("{} could not send its {} to the fleet registry of {}: {}", node.identity(), kind, collective, e.toString());
            }
        }
    }

    private final Map<Connection, Channel> registrationChannels = new ConcurrentHashMap<>();

    private Channel registrationChannel(Connection connection) throws IOException {
        synchronized (registrationChannels) {
            Channel channel = registrationChannels.get(connection);
            if (channel == null || !channel.isOpen()) {
                channel = connection.createChannel();
                registrationChannels.put(connection, channel);
            }
            return channel;
        }
    }

    /** Every interval: each node says it is alive (runs on the registration thread; nothing may escape it). */
    private void heartbeat() {
        try {
            for (Node node : hostedNodes.values()) {
                List<Subscription> subs = subscriptions.get(node.identity());
                if (subs != null && subs.get(0).channel().isOpen()) {
                    register(node, subs.get(0).channel(), Registrar.Kind.HEARTBEAT);
                }
            }
        } catch (Throwable t) {
            LOG.error("Fleet registry heartbeat failed; trying again in {}", options.registrationInterval(), t);
        }
    }

    private Subscription subscribe(Channel channel, Node node, String collective) throws IOException {
        String queue = Topology.nodeQueue(collective, node.identity());
        NodeConsumer consumer = new NodeConsumer(channel, node);
        // Before the queue exists again: whatever it receives from now on was sent while this node serves.
        handler.serving(node, collective);
        // Exclusive: another connection declaring it is refused by the broker itself (BrokerRefusedException).
        AMQP.Queue.DeclareOk ok = Topology.declareNodeQueue(channel, queue);
        // Still needed: nodes of one emulated fleet share a connection, which an exclusive queue does not tell apart.
        if (ok.getConsumerCount() > 0) {
            throw new IllegalStateException("Another agent already serves identity " + node.identity() + " in collective "
                    + collective + " (queue " + queue + " has a consumer: another agent with this identity, or a connection squatting "
                    + "its queue); identities must be unique, and least-privilege broker users (drover broker setup) stop squatters");
        }
        for (String agent : node.agents()) {
            channel.queueBind(queue, Topology.broadcastExchange(collective), agent);
        }
        channel.queueBind(queue, Topology.directedExchange(collective), node.identity());
        // Explicit tags: Qpid names consumers "sgen_1" on every channel, and amqp-client's recovery keys
        // consumers by tag across the connection, so generated tags would leave all but one unrecovered.
        // A repair consumes again with the same tag, which also replaces amqp-client's record of the old consumer.
        String tag = channel.basicConsume(queue, true, "drover-node-" + collective + "-" + node.identity(), consumer);
        return new Subscription(node, collective, channel, tag, consumer);
    }

    /**
     * Restores a node's queues, bindings and consumers: on its channel when that is open and only consumers
     * were lost, else on a new channel. Runs on the healer thread only.
     *
     * @param suspect the node's channel as it was when found broken (closed, or the broker's view and the
     *                channel's disagree: its queue is gone or has no consumer, yet the consumer was not cancelled),
     *                to be replaced unless a repair already did; null when only cancelled consumers need
     *                consuming again
     */
    private synchronized void heal(String identity, String why, Channel suspect) {
        List<Subscription> subs = subscriptions.get(identity);
        if (closed || subs == null) {
            return;
        }
        Channel old = subs.get(0).channel();
        Connection connection = old.getConnection();
        if (!connection.isOpen() || recovering.contains(connection)) {
            return; // amqp-client's recovery reconnects and restores queue and consumer
        }
        boolean freshChannel = suspect == old || !old.isOpen();
        if (!freshChannel && subs.stream().allMatch(sub -> sub.consumer().live)) {
            return; // repaired already, by an earlier call for the same loss
        }
        LOG.warn("{}: {}; re-declaring its queue, bindings and consumer", identity, why);
        try {
            Channel channel = old;
            if (freshChannel || !old.isOpen()) {
                abort(old);
                channel = connection.createChannel();
            }
            List<Subscription> healed = new ArrayList<>();
            for (Subscription sub : subs) {
                if (channel != old || !sub.consumer().live) {
                    Topology.declareExchanges(channel, sub.collective());
                    healed.add(subscribe(channel, sub.node(), sub.collective()));
                } else {
                    healed.add(sub);
                }
            }
            subscriptions.put(identity, List.copyOf(healed));
            LOG.warn("{}: serving again on {}", identity, healed.stream().map(Subscription::queue).toList());
        } catch (IOException | RuntimeException e) {
            // A refusal (the broker still holds the exclusive queue for an old connection of this agent) says what it is.
            BrokerRefusedException refused = BrokerRefusedException.explain(e, subs.get(0).queue(), broker.username());
            LOG.warn("{}: could not restore its queue yet ({}); trying again within {} ms", identity,
                    refused != null ? refused.getMessage() : e.toString(), SELF_CHECK_INTERVAL_MS);
        }
    }

    /** Closes a channel the broker may already have closed, and drops it from amqp-client's recovery records. */
    private static void abort(Channel channel) {
        try {
            channel.abort();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Aborting channel {}: {}", channel.getChannelNumber(), e.toString());
        }
    }

    private void healLater(String identity, String why, Channel suspect) {
        if (closed) {
            return;
        }
        try {
            healer.execute(() -> {
                try {
                    heal(identity, why, suspect);
                } catch (Throwable t) {
                    LOG.error("{}: repairing its subscription failed", identity, t);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Every node: is its channel open and its consumer registered; and for up to {@value #QUEUE_CHECKS_PER_ROUND}
     * nodes in turn, does the broker still have its queue, with a consumer. Anything missing is restored.
     */
    private void selfCheck() {
        try {
            List<String> identities = new ArrayList<>(subscriptions.keySet());
            int queueChecks = Math.min(QUEUE_CHECKS_PER_ROUND, identities.size());
            int start = identities.isEmpty() ? 0 : Math.floorMod(checkCursor, identities.size());
            checkCursor = start + queueChecks;
            for (int i = 0; i < identities.size() && !closed; i++) {
                String identity = identities.get((start + i) % identities.size());
                List<Subscription> subs = subscriptions.get(identity);
                Connection connection = subs == null ? null : subs.get(0).channel().getConnection();
                if (connection == null || !connection.isOpen() || recovering.contains(connection)) {
                    continue;
                }
                if (!subs.get(0).channel().isOpen()) {
                    heal(identity, "its channel was closed", subs.get(0).channel());
                } else if (subs.stream().anyMatch(sub -> !sub.consumer().live)) {
                    heal(identity, "its consumer was cancelled", null);
                } else if (i < queueChecks) {
                    checkQueues(identity, subs);
                }
            }
        } catch (Throwable t) {
            LOG.error("{}: self-check failed; it runs again in {} ms", options.name(), SELF_CHECK_INTERVAL_MS, t);
        }
    }

    /**
     * Asks the broker about the node's queues on the node's own channel: Qpid scopes an exclusive auto-delete queue
     * to the channel that declared it and answers a passive declare from any other by closing the whole connection.
     * A queue that is gone closes the node's channel (404), which is replaced by the repair anyway.
     */
    private void checkQueues(String identity, List<Subscription> subs) {
        for (Subscription sub : subs) {
            Channel check = sub.channel();
            try {
                int consumers;
                synchronized (check) { // replies are published under this lock; the check's frames must not interleave
                    consumers = check.queueDeclarePassive(sub.queue()).getConsumerCount();
                }
                if (consumers == 0) {
                    heal(identity, "queue " + sub.queue() + " has no consumer", sub.channel());
                    return;
                }
            } catch (IOException e) {
                if (e.getCause() instanceof ShutdownSignalException signal && !signal.isHardError()
                        && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == 404) {
                    heal(identity, "queue " + sub.queue() + " is gone", sub.channel());
                    return;
                }
                LOG.debug("{}: checking queue {}: {}", identity, sub.queue(), e.toString());
            } catch (RuntimeException e) {
                LOG.debug("{}: checking queue {}: {}", identity, sub.queue(), e.toString());
            }
        }
    }

    /** Closes what a node that failed to start opened: its channel, and its connection when no other node uses it. */
    private void abandon(Channel channel, Connection connection) {
        try {
            if (channel != null && channel.isOpen()) {
                channel.abort();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the channel of a node that failed to start: {}", e.toString());
        }
        if (connection != null) {
            connections.remove(connection);
            connection.abort(5_000);
        }
    }

    /**
     * Disconnects one node as if its agent stopped: its consumer and channel go and with them its exclusive
     * auto-delete queue, so directed requests to it are unroutable.
     */
    public synchronized void remove(String identity) throws IOException {
        List<Subscription> subs = subscriptions.remove(identity);
        hostedNodes.remove(identity);
        if (subs == null) {
            return;
        }
        for (Subscription sub : subs) {
            // The queue is auto-delete: it goes with its last consumer (RabbitMQ) or its channel (Qpid).
            try {
                sub.channel().basicCancel(sub.consumerTag());
            } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
                LOG.debug("Cancelling {}: {}", sub.consumerTag(), e.toString()); // cancelled by the broker, or its channel closed
            }
        }
        try {
            subs.get(0).channel().close();
        } catch (TimeoutException | IOException | com.rabbitmq.client.AlreadyClosedException ignored) {
            // the node is gone either way
        }
    }

    public int size() {
        return subscriptions.size();
    }

    /**
     * For tests: makes the broker close a node's channel, as a channel error would (a passive declare of an
     * exchange that does not exist is answered with 404 and the channel is closed).
     */
    void provokeChannelError(String identity) {
        Channel channel = subscriptions.get(identity).get(0).channel();
        try {
            channel.exchangeDeclarePassive(Topology.PREFIX + "test.no-such-exchange." + System.nanoTime());
        } catch (IOException expected) {
            LOG.debug("{}: channel closed by the broker as asked: {}", identity, expected.toString());
        }
    }

    /**
     * For tests: a new channel on the connection that owns a node's exclusive queue, with the powers over the queue
     * that only that connection and the broker's administrator (rabbitmqctl, the management UI) have: deleting it,
     * unbinding it. The caller closes the channel.
     */
    public Channel ownerChannel(String identity) throws IOException {
        return subscriptions.get(identity).get(0).channel().getConnection().createChannel();
    }

    /** Disconnects a node off the calling thread, which may be the node's own delivery thread. */
    private void stopLater(String identity) {
        try {
            healer.execute(() -> {
                try {
                    remove(identity);
                } catch (Throwable t) {
                    LOG.warn("{}: stopping after a fatal error: {}", identity, t.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // closing anyway
        }
    }

    private Connection connectionFor(int index) throws IOException, TimeoutException {
        int slot = index / options.nodesPerConnection();
        while (connections.size() <= slot) {
            Connection connection = broker.connect(options.name() + (connections.isEmpty() ? "" : " #" + (connections.size() + 1)),
                    consumerThreads);
            watch(connection);
            connections.add(connection);
        }
        return connections.get(slot);
    }

    private void watch(Connection connection) {
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                LOG.warn("Lost the broker connection {} ({}); reconnecting every {} ms", connection.getClientProvidedName(),
                        cause.getMessage(), BrokerConnector.RECOVERY_INTERVAL_MS);
            }
        });
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable r) {
                    recovering.remove(connection);
                    // A queue whose re-declare the broker refused was logged by amqp-client; the self-check restores it.
                    LOG.info("Reconnected {} to the broker; queues and consumers restored", connection.getClientProvidedName());
                    // Say hello again: the broker may have lost non-persistent state, and runners learn the node is back.
                    for (Node node : hostedNodes.values()) {
                        List<Subscription> subs = subscriptions.get(node.identity());
                        if (subs != null && subs.get(0).channel().getConnection() == connection) {
                            register(node, subs.get(0).channel(), Registrar.Kind.HELLO);
                        }
                    }
                }

                @Override
                public void handleRecoveryStarted(Recoverable r) {
                    // the shutdown listener already said so; the self-check leaves the connection to the recovery
                    recovering.add(connection);
                    // The recovery re-declares the queues on this connection: mark them before it does.
                    for (Node node : hostedNodes.values()) {
                        List<Subscription> subs = subscriptions.get(node.identity());
                        if (subs != null && subs.get(0).channel().getConnection() == connection) {
                            subs.forEach(sub -> handler.serving(node, sub.collective()));
                        }
                    }
                }
            });
        }
    }

    /**
     * Drops every connection at once, without a goodbye to the registry and without waiting for running requests:
     * what the broker sees when the agent process is killed.
     */
    public synchronized void abort() {
        closed = true;
        healer.shutdownNow();
        heartbeats.shutdownNow();
        hostedNodes.clear();
        subscriptions.clear();
        // Connections first: an interrupted action must not get its "interrupted" reply out, a killed agent sends nothing.
        for (Connection connection : connections) {
            connection.abort(1_000);
        }
        connections.clear();
        executor.shutdownNow();
        signatureChecks.close();
        consumerThreads.shutdownNow();
    }

    /**
     * Stops taking requests, lets those already running finish and answer (up to 10 s), says goodbye to the fleet
     * registry, then disconnects.
     */
    @Override
    public synchronized void close() {
        heartbeats.shutdownNow();
        List<Node> leaving = new ArrayList<>(hostedNodes.values());
        hostedNodes.clear();
        closed = true;
        healer.shutdownNow();
        // Goodbyes and cancels wait on the broker. One that stopped answering (frozen, or too loaded to answer
        // before the heartbeat gives up) held close() in basicCancel for amqp-client's 10-minute RPC timeout per
        // consumer: they run apart, and after QUIESCE_LIMIT the connections are dropped without them.
        Thread quiesce = new Thread(() -> {
            try {
                quiesce(leaving);
            } catch (Throwable e) {
                LOG.debug("{}: saying goodbye and cancelling consumers: {}", options.name(), e.toString());
            }
        }, options.name() + " closing");
        quiesce.setDaemon(true);
        quiesce.start();
        try {
            quiesce.join(QUIESCE_LIMIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (quiesce.isAlive()) {
            LOG.warn("{}: the broker took no goodbye or cancel within {} s; disconnecting without them", options.name(),
                    QUIESCE_LIMIT.toSeconds());
            for (Connection connection : connections) {
                connection.abort(1_000);
            }
        }
        subscriptions.clear();
        signatureChecks.close();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: requests still running after 10 s are abandoned", options.name());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection connection : connections) {
            try {
                connection.close(5_000);
            } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
                LOG.debug("Closing {}: {}", connection.getClientProvidedName(), e.toString());
            }
        }
        connections.clear();
        consumerThreads.shutdown();
    }

    /** Says goodbye to the fleet registry for {@code leaving}, then stops every consumer: no new request is taken. */
    private void quiesce(List<Node> leaving) {
        // A clean shutdown says goodbye, so runners report the node as stopped, not as silently missing.
        for (Node node : leaving) {
            List<Subscription> subs = subscriptions.get(node.identity());
            if (subs != null && subs.get(0).channel().isOpen()) {
                register(node, subs.get(0).channel(), Registrar.Kind.GOODBYE);
            }
        }
        for (List<Subscription> subs : subscriptions.values()) {
            for (Subscription sub : subs) {
                try {
                    if (sub.channel().isOpen()) {
                        sub.channel().basicCancel(sub.consumerTag());
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Cancelling {}: {}", sub.consumerTag(), e.toString());
                }
            }
        }
    }

    /**
     * Receives one node's requests and hands them to the worker threads. Nothing thrown while handling a
     * delivery escapes: amqp-client would close the channel, the auto-delete queue would go, and the node would
     * never answer again.
     */
    private final class NodeConsumer extends DefaultConsumer {
        private final Node node;
        /** Registered with the broker: false after a cancel or a channel shutdown, until consumed again. */
        volatile boolean live;

        NodeConsumer(Channel channel, Node node) {
            super(channel);
            this.node = node;
        }

        /** A client's probe: empty, with a {@link Topology#PROBE_PREFIX} correlation id; nothing to act on or answer. */
        private static boolean isProbe(AMQP.BasicProperties properties, byte[] body) {
            String correlation = properties.getCorrelationId();
            return body.length == 0 && correlation != null && correlation.startsWith(Topology.PROBE_PREFIX);
        }

        @Override
        public void handleConsumeOk(String consumerTag) {
            super.handleConsumeOk(consumerTag);
            live = true; // also after amqp-client's connection recovery consumed again
        }

        /** The broker cancelled the consumer: RabbitMQ does so when someone deletes the queue. */
        @Override
        public void handleCancel(String consumerTag) {
            live = false;
            healLater(node.identity(), "the broker cancelled its consumer (queue deleted?)", null);
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
            live = false;
            // A lost connection is for amqp-client's recovery; a channel the broker closed is not recovered by it.
            if (!signal.isInitiatedByApplication() && !signal.isHardError()) {
                healLater(node.identity(), "the broker closed its channel (" + signal.getMessage() + ")", getChannel());
            }
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            if (isProbe(properties, body)) {
                // A runner checking that this node's queue still exists; arriving here was the whole point.
                return;
            }
            Request request = null;
            try {
                try {
                    request = decoded.decode(body);
                } catch (ProtocolException e) {
                    LOG.warn("{} dropped a malformed request (correlation id {}): {}", node.identity(),
                            Names.printable(properties.getCorrelationId()), e.getMessage());
                    return;
                }
                if (handler.signatureCheckPending(node, request)) {
                    Request unchecked = request;
                    // One check for every node this host serves that received the same request.
                    signatureChecks.submit(unchecked, () -> handler.checkSignature(unchecked), () -> {
                        try {
                            dispatch(properties, unchecked);
                        } catch (Throwable t) {
                            survive(t, properties, unchecked);
                        }
                    });
                    return;
                }
                dispatch(properties, request);
            } catch (Throwable t) {
                survive(t, properties, request);
            }
        }

        /**
         * Serves a request here or on a worker thread. Only requests whose signature held (or that need none) reach
         * the workers; the others are refused right here, so forged requests never take a worker's queue from genuine
         * ones, and only a verified request the workers cannot take is answered "busy".
         */
        private void dispatch(AMQP.BasicProperties properties, Request request) {
            if (!handler.verified(request) || RpcutilCatalog.AGENT.equals(request.agent()) && RpcutilCatalog.PING.equals(request.action())) {
                // A refusal, or discovery's ping, costs microseconds: answered right here, a ping skips a thread
                // hand-off that would stretch every discovery over a large fleet.
                serve(properties, request);
                return;
            }
            try {
                executor.execute(() -> serve(properties, request));
            } catch (RejectedExecutionException e) {
                busy(properties, request);
            }
        }

        /** Handles one request and answers it; never throws. */
        private void serve(AMQP.BasicProperties properties, Request request) {
            try {
                Optional<Reply> reply;
                try {
                    reply = handler.handle(node, request);
                } catch (RuntimeException | StackOverflowError e) {
                    LOG.error("{} failed on request {}", node.identity(), request.id(), e);
                    reply = Optional.of(internalError(request, e));
                }
                reply.ifPresent(r -> send(properties.getReplyTo(), r));
            } catch (Throwable t) {
                survive(t, properties, request);
            }
        }

        /**
         * After anything thrown at a thread boundary: a stack overflow or an exception is answered as an internal
         * error and the node keeps serving; any other Error goes to the fatal error strategy.
         */
        private void survive(Throwable thrown, AMQP.BasicProperties properties, Request request) {
            try {
                if (thrown instanceof Error error && !(thrown instanceof StackOverflowError)) {
                    options.onFatalError().handle(node.identity(), error, () -> stopLater(node.identity()));
                    return;
                }
                LOG.error("{} survived {} on request {}", node.identity(), thrown, request == null ? "(not decoded)" : request.id(), thrown);
                if (request != null) {
                    send(properties.getReplyTo(), internalError(request, thrown));
                }
            } catch (Throwable again) {
                // Nothing left to do safely on this thread; the self-check still watches the node.
                if (again instanceof Error error && !(again instanceof StackOverflowError) && again != thrown) {
                    options.onFatalError().handle(node.identity(), error, () -> stopLater(node.identity()));
                }
            }
        }

        private Reply internalError(Request request, Throwable thrown) {
            String what = thrown instanceof StackOverflowError ? "stack overflow while handling " + request.qualifiedAction()
                    + "; the node keeps serving" : thrown.toString();
            return handler.authenticate(new Reply(request.id(), node.identity(), request.agent(), request.action(),
                    Status.UNKNOWN_ERROR, "internal error: " + what, Map.of(), 0), request);
        }

        private void busy(AMQP.BasicProperties properties, Request request) {
            LOG.warn("{} is busy: {} requests queued; refusing {} id={}", node.identity(), options.queueCapacity(),
                    request.qualifiedAction(), request.id());
            send(properties.getReplyTo(), handler.authenticate(new Reply(request.id(), node.identity(), request.agent(),
                    request.action(), Status.UNKNOWN_ERROR, "refused: node busy, " + options.queueCapacity() + " requests queued",
                    Map.of(), 0), request));
        }

        private void send(String replyTo, Reply reply) {
            if (replyTo == null || !REPLY_TO.matcher(replyTo).matches() || replyTo.startsWith(Topology.PREFIX)) {
                LOG.warn("{} cannot answer request {}: reply-to '{}' is missing or not a client reply queue",
                        node.identity(), reply.requestId(), Names.printable(replyTo));
                return;
            }
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .contentType("application/json")
                    .correlationId(reply.requestId())
                    .userId(broker.userId())
                    .build();
            byte[] body = JsonCodec.instance().encode(reply);
            Channel channel = getChannel();
            try {
                synchronized (channel) {
                    channel.basicPublish("", replyTo, props, body);
                }
            } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
                LOG.warn("{} could not send its reply to request {}: {}", node.identity(), reply.requestId(), e.getMessage());
            }
        }
    }
}
