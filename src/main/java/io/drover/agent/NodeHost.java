package io.drover.agent;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.drover.agents.rpcutil.RpcutilAgent;
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
 */
public final class NodeHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHost.class);
    /** A reply-to must look like a queue name and never be one of Drover's own node queues. */
    private static final Pattern REPLY_TO = Pattern.compile("[A-Za-z0-9_.:@/+-]{1,255}");

    private final BrokerConnector broker;
    private final RequestHandler handler;
    private final Options options;
    private final ThreadPoolExecutor executor;
    private final List<Connection> connections = new ArrayList<>();
    private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();
    private final DecodedRequests decoded = new DecodedRequests();
    private final ExecutorService consumerThreads;
    private final Registrar registrar;
    private final Map<String, Node> hostedNodes = new ConcurrentHashMap<>();
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeats;
    private int hosted;

    /**
     * How a host uses the broker and threads.
     *
     * @param name               connection name prefix shown by the broker
     * @param threads            threads running actions
     * @param queueCapacity      requests waiting for a thread before new ones are answered "busy"
     * @param nodesPerConnection nodes sharing one connection (one channel each; Qpid allows 256 channels)
     * @param registrationInterval time between heartbeats to the fleet registry; zero registers nothing at all (as
     *                           agents older than the registry did; for tests)
     */
    public record Options(String name, int threads, int queueCapacity, int nodesPerConnection, Duration registrationInterval) {
        /** Five minutes: a runner reports a missing node with how long ago it was last heard from. */
        public static final Duration DEFAULT_REGISTRATION_INTERVAL = Duration.ofMinutes(5);

        public Options(String name, int threads, int queueCapacity, int nodesPerConnection) {
            this(name, threads, queueCapacity, nodesPerConnection, DEFAULT_REGISTRATION_INTERVAL);
        }

        public static Options agent(String identity) {
            return new Options("drover-agent " + identity, 8, 1_000, 1);
        }

        /** Many emulated nodes: sandbox actions never block, so a thread per core and a bit more is enough. */
        public static Options fleet(String name) {
            return new Options(name, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), 100_000, 200);
        }
    }

    private record Subscription(Channel channel, String consumerTag) {
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
                        Topology.declareRegistry(channel, collective);
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

    /** Publishes one kind of registration of {@code node} in each of its collectives; a failure is logged, never thrown. */
    private void register(Node node, Channel channel, Registrar.Kind kind) {
        if (options.registrationInterval().isZero()) {
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
        AMQP.Queue.DeclareOk ok = channel.queueDeclare(queue, false, false, true, null);
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
        String tag = channel.basicConsume(queue, true, "drover-node-" + collective + "-" + node.identity(),
                new NodeConsumer(channel, node));
        return new Subscription(channel, tag);
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
     * Disconnects one node as if its agent stopped: its consumer goes and with it its auto-delete queue, so
     * directed requests to it are unroutable.
     */
    public synchronized void remove(String identity) throws IOException {
        List<Subscription> subs = subscriptions.remove(identity);
        hostedNodes.remove(identity);
        if (subs == null) {
            return;
        }
        for (Subscription sub : subs) {
            // The queue is auto-delete: it goes with its last consumer.
            sub.channel().basicCancel(sub.consumerTag());
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
                    // the shutdown listener already said so
                }
            });
        }
    }

    /**
     * Drops every connection at once, without a goodbye to the registry and without waiting for running requests:
     * what the broker sees when the agent process is killed.
     */
    public synchronized void abort() {
        heartbeats.shutdownNow();
        hostedNodes.clear();
        subscriptions.clear();
        executor.shutdownNow();
        for (Connection connection : connections) {
            connection.abort(1_000);
        }
        connections.clear();
        consumerThreads.shutdownNow();
    }

    /**
     * Stops taking requests, lets those already running finish and answer (up to 10 s), says goodbye to the fleet
     * registry, then disconnects.
     */
    @Override
    public synchronized void close() {
        heartbeats.shutdownNow();
        // A clean shutdown says goodbye, so runners report the node as stopped, not as silently missing.
        for (Node node : hostedNodes.values()) {
            List<Subscription> subs = subscriptions.get(node.identity());
            if (subs != null && subs.get(0).channel().isOpen()) {
                register(node, subs.get(0).channel(), Registrar.Kind.GOODBYE);
            }
        }
        hostedNodes.clear();
        for (List<Subscription> subs : subscriptions.values()) {
            for (Subscription sub : subs) {
                try {
                    sub.channel().basicCancel(sub.consumerTag());
                } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
                    LOG.debug("Cancelling {}: {}", sub.consumerTag(), e.toString());
                }
            }
        }
        subscriptions.clear();
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

    /** Receives one node's requests and hands them to the worker threads. */
    private final class NodeConsumer extends DefaultConsumer {
        private final Node node;

        NodeConsumer(Channel channel, Node node) {
            super(channel);
            this.node = node;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Request request;
            try {
                request = decoded.decode(body);
            } catch (ProtocolException e) {
                LOG.warn("{} dropped a malformed request (correlation id {}): {}", node.identity(),
                        Names.printable(properties.getCorrelationId()), e.getMessage());
                return;
            }
            if (RpcutilAgent.NAME.equals(request.agent()) && "ping".equals(request.action())) {
                // Discovery's ping costs microseconds: answered right here, it skips a thread hand-off that
                // would stretch every discovery over a large fleet.
                serve(properties, request);
                return;
            }
            try {
                executor.execute(() -> serve(properties, request));
            } catch (RejectedExecutionException e) {
                busy(properties, request);
            }
        }

        private void serve(AMQP.BasicProperties properties, Request request) {
            Optional<Reply> reply;
            try {
                reply = handler.handle(node, request);
            } catch (RuntimeException e) {
                LOG.error("{} failed on request {}", node.identity(), request.id(), e);
                reply = Optional.of(new Reply(request.id(), node.identity(), request.agent(), request.action(),
                        Status.UNKNOWN_ERROR, "internal error: " + e, Map.of(), 0));
            }
            reply.ifPresent(r -> send(properties.getReplyTo(), r));
        }

        private void busy(AMQP.BasicProperties properties, Request request) {
            LOG.warn("{} is busy: {} requests queued; refusing {} id={}", node.identity(), options.queueCapacity(),
                    request.qualifiedAction(), request.id());
            send(properties.getReplyTo(), new Reply(request.id(), node.identity(), request.agent(), request.action(),
                    Status.UNKNOWN_ERROR, "refused: node busy, " + options.queueCapacity() + " requests queued", Map.of(), 0));
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
