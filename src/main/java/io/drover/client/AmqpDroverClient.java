package io.drover.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.catalog.Catalogs;
import io.drover.catalog.RpcutilCatalog;
import io.drover.error.BrokerUnreachableException;
import io.drover.error.OperationInterruptedException;
import io.drover.filter.Filter;
import io.drover.fleet.Fleet;
import io.drover.fleet.RegistryReader;
import io.drover.fleet.RegistryView;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Names;
import io.drover.protocol.ProtocolException;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.transport.BrokerConnector;
import io.drover.transport.BrokerFailures;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link DroverClient} over AMQP 0-9-1. Requests are published with {@code mandatory}, so the broker hands
 * back a directed request whose node has no queue (its agent is not connected) and the call reports that
 * host at once instead of waiting out the timeout; while a directed call waits, probes find agents that
 * disconnected meanwhile. Replies arrive on one reply queue of the client's own naming, which outlives a dropped
 * connection (see {@link #declareReplyQueue}), and are matched to waiting calls by request id; a reply to a
 * request nobody waits for any more is counted, and when it answers a recent call it is logged and kept
 * ({@link #lateReplyRecords()}). What happens to the connection while a call waits goes into its result.
 */
final class AmqpDroverClient implements DroverClient {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpDroverClient.class);
    private static final long PROGRESS_INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long RECONNECT_POLL_MS = 100;
    private static final String FLUSH_PREFIX = "drover-flush:";
    /** How often a directed call probes the queues of hosts that have not answered yet. */
    static final long PROBE_INTERVAL_NANOS = Duration.ofMillis(1500).toNanos();
    /**
     * No probes this long after the client's connection recovered: after a broker restart, agents reconnect on
     * their own schedule (every second) and their queues are briefly missing.
     */
    static final long PROBE_GRACE_NANOS = Duration.ofSeconds(5).toNanos();
    /** RabbitMQ deletes a reply queue unused this long (its runner died without deleting it). */
    static final Duration REPLY_QUEUE_EXPIRY = Duration.ofMinutes(10);
    /** Targets named by one directed message body; see {@link #call}. */
    static final int TARGETS_PER_MESSAGE = 64;

    private final BrokerConnector broker;
    private final ClientOptions options;
    private final Connection connection;
    private volatile Channel publisher;
    private final Channel consumer;
    private final String replyQueue;
    private final Map<String, PendingRequest> pending = new ConcurrentHashMap<>();
    private final AtomicLong lateReplies = new AtomicLong();
    private final RegistryReader registryReader;
    /** The registry as this client follows it between whole reads: see {@link RegistryView}. */
    private final RegistryView registryView;
    private final RecentCalls recentCalls = new RecentCalls();
    /** Checks replies off the delivery thread; {@code null} when replies are not checked (no verifier). */
    private final ReplyChecks checks;
    /** The connection's trouble now: when (nanoTime) and why it was lost or blocked; {@code null} when it is not. */
    private volatile Trouble lost;
    private volatile Trouble blocked;
    private volatile long recoveredAt;
    private final Object recoveryLock = new Object();

    private record Trouble(long since, String detail) {
    }

    private AmqpDroverClient(BrokerConnector broker, ClientOptions options) throws IOException, TimeoutException {
        this.broker = broker;
        this.options = options;
        this.registryReader = new RegistryReader(broker, Clock.systemUTC(), options.registry().retireAfter(),
                options.registry().lockWait()).keepingConnection();
        this.checks = options.replyVerifier() == null ? null : new ReplyChecks(ReplyChecks.defaultThreads());
        this.connection = broker.connect("drover client " + options.caller());
        try {
            this.publisher = connection.createChannel();
            Topology.declareExchanges(publisher, options.collective());
            publisher.addReturnListener(this::returned);
            this.consumer = connection.createChannel();
            this.replyQueue = declareReplyQueue(consumer, connection, options.caller(), broker.uris().size() > 1);
            // An explicit tag: see NodeHost on why generated tags break recovery on Qpid.
            consumer.basicConsume(replyQueue, true, "drover-client-" + java.util.UUID.randomUUID(), new ReplyConsumer(consumer));
            // Subscribes at the first discovery that reads the registry, never with the registry off.
            this.registryView = new RegistryView(registryReader, options.collective(), Topology.registryView(replyQueue),
                    Clock.systemUTC(), options.registry().retireAfter(), options.registry().refreshAfter());
            watch(connection);
        } catch (IOException | RuntimeException e) {
            connection.abort();
            if (checks != null) {
                checks.close();
            }
            throw e;
        }
    }

    /**
     * Declares the client's reply queue under a name of its own ({@link Topology#replyQueue}): unlike a
     * server-named queue, it keeps its name when the connection recovers, so replies addressed to it before a
     * reconnection still arrive. It is neither exclusive nor auto-delete, so it outlives a dropped connection and
     * collects the replies sent meanwhile; on RabbitMQ, for a runner listing several brokers (a cluster), a quorum
     * queue, so it also outlives the loss of the node the runner was connected to ({@link Topology#declareReplyQueue});
     * {@link #close()} deletes it. On RabbitMQ,
     * {@code x-expires} deletes it when the runner died without doing so; Qpid Broker-J refuses {@code x-} arguments
     * and has no idle expiry, so there an abandoned queue lives as long as the broker (the embedded one lives as long
     * as the run).
     */
    static String declareReplyQueue(Channel channel, Connection connection, String caller, boolean replicated) throws IOException {
        String name = Topology.replyQueue(caller);
        Topology.declareReplyQueue(channel, name, Topology.isRabbitMq(connection), replicated, REPLY_QUEUE_EXPIRY);
        return name;
    }

    /** Follows the connection's losses, recoveries and blocks, and tells every waiting call. */
    private void watch(Connection connection) {
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                String detail = Names.printable(shutdownCause(cause));
                long now = System.nanoTime();
                lost = new Trouble(now, detail);
                blocked = null;
                LOG.warn("Lost the broker {} ({}); reconnecting every {} ms", broker, detail, BrokerConnector.RECOVERY_INTERVAL_MS);
                tellPending(ConnectionEvent.Kind.LOST, now, detail);
            }
        });
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable r) {
                    recovered();
                }

                @Override
                public void handleRecoveryStarted(Recoverable r) {
                    // the shutdown listener already said so
                }
            });
        }
        connection.addBlockedListener(reason -> {
            String detail = Names.printable(reason);
            long now = System.nanoTime();
            blocked = new Trouble(now, detail);
            LOG.warn("The broker {} blocks this client's publishing ({}): a memory or disk alarm; agents' replies are held back too",
                    broker, detail);
            tellPending(ConnectionEvent.Kind.BLOCKED, now, detail);
        }, () -> {
            long now = System.nanoTime();
            blocked = null;
            LOG.info("The broker {} unblocked this client's publishing", broker);
            tellPending(ConnectionEvent.Kind.UNBLOCKED, now, "");
        });
    }

    /**
     * The connection is back: said once per loss, by amqp-client's recovery listener or by the first reply delivered
     * after the loss, whichever comes first (the recovery restores consumers before it tells its listeners, so
     * replies queued meanwhile can arrive, and end a call, before it does).
     */
    private void recovered() {
        long now = System.nanoTime();
        synchronized (recoveryLock) {
            if (lost == null) {
                return;
            }
            recoveredAt = now;
            // Every waiting call hears of the recovery before anyone can see the connection as back: a reply delivered
            // meanwhile by the recovered consumer finds `lost` still set and waits here, so no call can end on its
            // replies with the loss recorded and the recovery not (RunnerRecoveryIT saw it once replies were checked
            // off the delivery thread).
            tellPending(ConnectionEvent.Kind.RECOVERED, now, "");
            lost = null;
        }
        // Registrations published while this client was away may have missed its view too (when the view's own
        // connection survived): the next discovery reads the registry whole.
        registryView.invalidate("the client's connection recovered");
        LOG.info("Reconnected to the broker {}; the reply queue {} is kept", broker, replyQueue);
    }

    private static String shutdownCause(ShutdownSignalException cause) {
        Throwable root = cause.getCause();
        if (root != null) {
            return root.toString();
        }
        String message = cause.getMessage();
        return message == null ? cause.toString() : message;
    }

    private void tellPending(ConnectionEvent.Kind kind, long when, String detail) {
        for (PendingRequest wait : pending.values()) {
            wait.connectionEvent(kind, when, detail);
        }
    }

    /**
     * Records in a new call the trouble its connection already had when it started. The call is pending already; under
     * the recovery lock, a loss it records here is followed by the recovery's event too.
     */
    private void troubleSoFar(PendingRequest wait) {
        synchronized (recoveryLock) {
            Trouble down = lost;
            if (down != null) {
                wait.connectionEvent(ConnectionEvent.Kind.LOST, down.since(), down.detail());
            }
        }
        Trouble held = blocked;
        if (held != null) {
            wait.connectionEvent(ConnectionEvent.Kind.BLOCKED, held.since(), held.detail());
        }
    }

    /**
     * @throws io.drover.error.BrokerUnreachableException  when the broker cannot be reached
     * @throws io.drover.error.AuthenticationException     when it refuses the login
     */
    public static AmqpDroverClient connect(BrokerConnector broker, ClientOptions options) throws IOException, TimeoutException {
        warmUp();
        try {
            return new AmqpDroverClient(broker, options);
        } catch (IOException | TimeoutException e) {
            throw BrokerFailures.connecting(broker, e);
        }
    }

    /**
     * Runs the codec and filter code once, so the first discovery does not measure class loading and a cold
     * JSON mapper as if they were a slow node (the quiet window grows with the first reply's latency).
     */
    private static void warmUp() {
        JsonCodec codec = JsonCodec.instance();
        Request request = new Request(Request.newId(), "warmup", RpcutilCatalog.AGENT, RpcutilCatalog.PING, Map.of("x", 1),
                Filter.parse("class(a) and b == 1").toString(), List.of("warmup"), "warmup", 1, 1, null);
        codec.decodeRequest(codec.encode(request));
        codec.decodeReply(codec.encode(new Reply(request.id(), "warmup", RpcutilCatalog.AGENT, RpcutilCatalog.PING,
                io.drover.protocol.Status.OK, "", Map.of(RpcutilCatalog.PONG, 1L), 0)));
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    @Override
    public String broker() {
        return broker.toString();
    }

    @Override
    public BrokerConnector connector() {
        return broker;
    }

    /** How many discoveries read the registry whole (the others used the live view): for tests. */
    long registryWholeReads() {
        return registryView.wholeReads();
    }

    @Override
    public long lateReplies() {
        return lateReplies.get();
    }

    @Override
    public List<LateReply> lateReplyRecords() {
        return recentCalls.lateReplies();
    }

    @Override
    public Discovery discover(Filter filter, DiscoveryOptions discoveryOptions) {
        Duration cap = discoveryOptions.timeout() != null ? discoveryOptions.timeout() : options.discoveryTimeout();
        Request request = newRequest(RpcutilCatalog.AGENT, RpcutilCatalog.PING, Map.of(), filter, cap);
        byte[] body = JsonCodec.instance().encode(sign(request));
        long start = System.nanoTime();
        PendingRequest wait = new PendingRequest(null, start);
        wait.sent(null, digest(body));
        pending.put(request.id(), wait);
        try {
            long deadline = start + cap.toNanos();
            publish(Topology.broadcastExchange(options.collective()), RpcutilCatalog.AGENT, request, body, deadline);
            int expected = discoveryOptions.expectedCount().orElse(-1);
            DiscoveryRound round = new DiscoveryRound(wait, options.quietWindow(), expected, deadline,
                    () -> publishFlush(request.id()));
            // Who must answer: the host list given, else the registry (read while the broadcast is on its way).
            Expectation expectation = expectation(filter, discoveryOptions, cap);
            // Nobody to wait for by name (no registry, or no registered host matches): the quiet window decides.
            Discovery.Ended ended = expectation == null || expectation.awaited().isEmpty() ? round.await()
                    : round.awaitHosts(expectation.awaited());
            Duration window = wait.read(p -> p.replyCount() > 0 ? round.window(p) : Duration.ZERO);
            Duration first = wait.read(p -> p.replyCount() > 0 ? Duration.ofNanos(p.firstReplyAt() - p.publishedAt()) : null);
            Duration last = wait.read(p -> p.replyCount() > 0 ? Duration.ofNanos(p.lastReplyAt() - p.publishedAt()) : null);
            Map<String, Reply> replies = wait.read(PendingRequest::replies);
            SortedSet<String> found = new TreeSet<>();
            SortedMap<String, String> refused = new TreeMap<>();
            replies.forEach((host, reply) -> {
                if (reply.isOk()) {
                    found.add(host);
                } else {
                    refused.put(host, reply.status() + ": " + reply.message());
                }
            });
            // A host that only sent replies this client could not attribute to it (a ghost, a forgery) is named.
            wait.read(PendingRequest::rejected).forEach((host, why) -> {
                if (!replies.containsKey(host)) {
                    refused.put(host, "reply rejected: " + why);
                }
            });
            SortedMap<String, String> missing = new TreeMap<>();
            SortedSet<String> unknown = new TreeSet<>();
            if (expectation != null) {
                expectation.known().forEach((host, why) -> {
                    if (!replies.containsKey(host) && !refused.containsKey(host)) {
                        missing.put(host, why);
                    }
                });
                for (String host : replies.keySet()) {
                    if (!expectation.known().containsKey(host)) {
                        unknown.add(host);
                    }
                }
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            LOG.debug("Discovered {} nodes matching {} in {} ms ({})", found.size(), filter.describe(), elapsed.toMillis(),
                    ended.description());
            Duration gap = wait.read(p -> Duration.ofNanos(p.largestGap()));
            return new Discovery(filter, found, refused, elapsed, ended, window, first, last, gap,
                    expectation == null ? null : expectation.source(), missing, unknown,
                    expectation == null ? new TreeMap<>() : expectation.facts());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationInterruptedException("Interrupted while discovering " + filter.describe(), e);
        } finally {
            pending.remove(request.id());
        }
    }

    /**
     * The hosts a discovery must hear from.
     *
     * @param source  where they came from, for messages
     * @param known   every host expected, with what to say if it does not answer
     * @param awaited those of them worth waiting for (not those whose agent said goodbye)
     */
    private record Expectation(String source, Map<String, String> known, Set<String> awaited,
                               SortedMap<String, Map<String, Object>> facts) {
    }

    private Expectation expectation(Filter filter, DiscoveryOptions discoveryOptions, Duration cap) throws InterruptedException {
        if (discoveryOptions.expectedHosts() != null) {
            Map<String, String> known = new TreeMap<>();
            for (String host : discoveryOptions.expectedHosts()) {
                known.put(host, "listed in " + discoveryOptions.hostsSource() + " and did not answer within " + seconds(cap));
            }
            return new Expectation(discoveryOptions.hostsSource(), known, known.keySet(), new TreeMap<>());
        }
        if (!options.registry().enabled()) {
            return null;
        }
        Fleet fleet;
        try {
            fleet = registryView.fleet();
        } catch (IOException | TimeoutException e) {
            throw new BrokerUnreachableException("Cannot read the fleet registry of collective " + options.collective() + " on " + broker
                    + ": " + BrokerFailures.describe(e) + ". Without it Drover cannot tell a missing host from one that does not match; "
                    + "fix the broker, or set drover.fleet.registry=false to trust the broadcast alone (not recommended)", e);
        }
        if (fleet.isEmpty()) {
            LOG.warn("No node has registered in collective {}: discovery counts whoever answers the broadcast within the quiet "
                    + "window (agents older than this runner do not register; upgrade them)", options.collective());
            return null;
        }
        Instant now = fleet.readAt();
        Map<String, String> known = new TreeMap<>();
        Set<String> awaited = new java.util.HashSet<>();
        SortedMap<String, Map<String, Object>> facts = new TreeMap<>();
        fleet.matching(filter).forEach((host, entry) -> {
            facts.put(host, entry.facts());
            if (entry.stopped()) {
                known.put(host, "matched when last seen " + entry.lastSeenAgo(now) + ", when its agent stopped cleanly (goodbye); "
                        + "start the agent, or retire the host with: drover fleet forget " + host);
            } else {
                known.put(host, "matched when last seen " + entry.lastSeenAgo(now) + " and did not answer within " + seconds(cap));
                awaited.add(host);
            }
        });
        return new Expectation("the fleet registry", known, awaited, facts);
    }

    /** Sends a marker through the client's own reply queue, behind every reply already queued there. */
    private void publishFlush(String requestId) {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId(FLUSH_PREFIX + requestId).build();
        try {
            Channel channel = publisher();
            synchronized (channel) {
                channel.basicPublish("", replyQueue, props, new byte[0]);
            }
        } catch (IOException | AlreadyClosedException e) {
            // Without the marker the round waits for the cap; say why.
            LOG.warn("Could not send the discovery flush marker: {}", e.toString());
        }
    }

    @Override
    public CallResult call(Call call) {
        // Refused here with the node's own words rather than sent to every host to be refused there.
        Catalogs.validate(call.agent(), call.action(), call.params());
        Duration timeout = call.timeout() != null ? call.timeout() : options.callTimeout();
        Request request = newRequest(call.agent(), call.action(), call.params(), call.filter(), timeout);
        long start = System.nanoTime();
        Set<String> targets = call.targets();
        PendingRequest wait = new PendingRequest(targets, start);
        pending.put(request.id(), wait);
        troubleSoFar(wait);
        try {
            long deadline = start + timeout.toNanos();
            if (targets != null) {
                String exchange = Topology.directedExchange(options.collective());
                // Targets go in chunks: one signed body names a chunk and is routed to each node of it, so a
                // message cannot be redirected to a node it does not name, and signing costs one per chunk.
                List<String> all = List.copyOf(targets);
                for (int from = 0; from < all.size(); from += TARGETS_PER_MESSAGE) {
                    List<String> chunk = all.subList(from, Math.min(all.size(), from + TARGETS_PER_MESSAGE));
                    Request directed = sign(request.withTargets(chunk));
                    byte[] body = JsonCodec.instance().encode(directed);
                    wait.sent(chunk, digest(body));
                    for (String target : chunk) {
                        publish(exchange, target, directed, body, deadline);
                    }
                }
            } else {
                byte[] body = JsonCodec.instance().encode(sign(request));
                wait.sent(null, digest(body));
                publish(Topology.broadcastExchange(options.collective()), call.agent(), request, body, deadline);
            }
            long nextProgress = start + PROGRESS_INTERVAL_NANOS;
            long nextProbe = start + PROBE_INTERVAL_NANOS;
            int probeRound = 0;
            while (true) {
                long seen = wait.version();
                if (wait.read(p -> p.complete() || (p.isNoRoute() && targets == null)) || System.nanoTime() - deadline >= 0) {
                    break;
                }
                wait.awaitChange(seen, Math.min(deadline, Math.min(nextProgress, targets != null ? nextProbe : deadline)));
                long now = System.nanoTime();
                if (targets != null && now - nextProbe >= 0 && now - deadline < 0) {
                    nextProbe = now + PROBE_INTERVAL_NANOS;
                    probe(request.id(), wait, ++probeRound, now);
                }
                if (now - nextProgress >= 0 && now - deadline < 0) {
                    nextProgress = now + PROGRESS_INTERVAL_NANOS;
                    int expected = targets == null ? -1 : targets.size();
                    wait.read(p -> {
                        call.progress().progress(p.replyCount(), expected, p.failedCount(), Duration.ofNanos(now - start));
                        return null;
                    });
                }
            }
            // Under the call's lock: a reply the consumer holds now is either in the result or, once the call is
            // closed, a late reply that recentCalls can attribute.
            return wait.read(p -> {
                p.close();
                CallResult result = result(request, call, targets, p, Duration.ofNanos(System.nanoTime() - start), timeout);
                Map<String, String> digests = new java.util.HashMap<>();
                for (String host : result.missing().keySet()) {
                    String digest = p.sentDigest(host);
                    if (digest != null) {
                        digests.put(host, digest);
                    }
                }
                recentCalls.ended(request.id(), call.qualifiedAction(), start, System.nanoTime(), result.missing().keySet(), digests);
                return result;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationInterruptedException("Interrupted while waiting for " + call.qualifiedAction(), e);
        } finally {
            pending.remove(request.id());
        }
    }

    /**
     * Sends round {@code round} of probes to the hosts of a directed call that have not answered: an empty message
     * with {@code mandatory} on the directed exchange, which the broker returns when the host's queue is gone (its
     * agent stopped or lost its connection; the queue is auto-delete). Skipped while the client's own connection
     * is down, blocked, or just recovered (agents may still be re-declaring their queues).
     */
    private void probe(String requestId, PendingRequest wait, int round, long now) {
        long recovered = recoveredAt;
        if (lost != null || blocked != null || (recovered != 0 && now - recovered < PROBE_GRACE_NANOS)) {
            return;
        }
        Set<String> hosts = wait.read(PendingRequest::waitingFor);
        String exchange = Topology.directedExchange(options.collective());
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .correlationId(Topology.PROBE_PREFIX + requestId + ":" + round)
                .deliveryMode(1)
                .build();
        try {
            for (String host : hosts) {
                synchronized (publisher) {
                    publisher.basicPublish(exchange, host, true, props, new byte[0]);
                }
            }
        } catch (IOException | AlreadyClosedException e) {
            // The next round tries again; the call's timeout still bounds the wait.
            LOG.debug("Could not probe the hosts of request {}: {}", requestId, e.toString());
        }
    }

    private static CallResult result(Request request, Call call, Set<String> targets, PendingRequest wait, Duration elapsed,
                                     Duration timeout) {
        return wait.read(p -> {
            Map<String, Reply> replies = p.replies();
            SortedMap<String, String> missing = new TreeMap<>(p.unroutable());
            Set<String> expected = targets != null ? targets : replies.keySet();
            for (String host : expected) {
                if (!replies.containsKey(host) && !missing.containsKey(host)) {
                    String rejected = p.rejected().get(host);
                    missing.put(host, rejected != null ? "no valid reply within " + seconds(timeout) + "; rejected one: " + rejected
                            : CallResult.NO_REPLY_WITHIN + seconds(timeout));
                }
            }
            return new CallResult(request.id(), call.agent(), call.action(), new TreeSet<>(expected), new TreeMap<>(replies),
                    missing, new TreeMap<>(p.unexpected()), p.duplicates(), elapsed, p.connectionEvents(), p.repliesAfterRecovery(),
                    p.answeredAt());
        });
    }

    private static String seconds(Duration duration) {
        return CallResult.seconds(duration);
    }

    /** The digest a node computes of {@code body}: of the request as decoded, so both sides encode it alike. */
    private static String digest(byte[] body) {
        return JsonCodec.instance().digest(JsonCodec.instance().decodeRequest(body));
    }

    private Request sign(Request request) {
        return options.signer() == null ? request : options.signer().sign(request);
    }

    private Request newRequest(String agent, String action, Map<String, Object> params, Filter filter, Duration timeout) {
        int ttl = (int) Math.max(1, Math.min(JsonCodec.MAX_TTL_SECONDS, (timeout.toMillis() + 999) / 1000));
        String filterText = filter == null || filter.isAll() ? null : filter.toString();
        Request request = new Request(Request.newId(), options.collective(), agent, action, params, filterText, null,
                options.caller(), System.currentTimeMillis(), ttl, options.dryRun(), null);
        JsonCodec.check(request);
        return request;
    }

    /**
     * Publishes with {@code mandatory}. While the connection is down and recovering, waits for it until
     * {@code deadline} (nanoTime) rather than failing the call on a broker blip.
     */
    private void publish(String exchange, String routingKey, Request request, byte[] body, long deadline)
            throws InterruptedException {
        while (true) {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .contentType("application/json")
                    .correlationId(request.id())
                    .replyTo(replyQueue)
                    .deliveryMode(1)
                    .userId(broker.userId())
                    .build();
            try {
                if (lost != null) {
                    // Lost until its topology is restored: a publish before that could hit a missing exchange.
                    throw new AlreadyClosedException(new com.rabbitmq.client.ShutdownSignalException(true, false, null, connection));
                }
                Channel channel = publisher();
                synchronized (channel) {
                    channel.basicPublish(exchange, routingKey, true, props, body);
                }
                return;
            } catch (AlreadyClosedException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new BrokerUnreachableException("Lost the connection to the broker " + broker
                            + " and it did not come back in time to send " + request.qualifiedAction() + ": " + e.getMessage(), e);
                }
                Thread.sleep(RECONNECT_POLL_MS);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot publish " + request.qualifiedAction() + " to " + broker, e);
            }
        }
    }

    /**
     * The publishing channel, opened again when the broker closed it while the connection stayed up (a channel
     * error, e.g. a publish racing the re-declaration of an exchange after a broker restart); recovery only
     * restores channels of a lost connection.
     */
    private Channel publisher() throws IOException {
        Channel channel = publisher;
        if (channel.isOpen() || !connection.isOpen()) {
            return channel;
        }
        synchronized (this) {
            if (!publisher.isOpen()) {
                Channel fresh = connection.createChannel();
                Topology.declareExchanges(fresh, options.collective());
                fresh.addReturnListener(this::returned);
                LOG.info("Reopened the publishing channel to {} after the broker closed it: {}", broker,
                        publisher.getCloseReason() == null ? "closed" : publisher.getCloseReason().getMessage());
                publisher = fresh;
            }
            return publisher;
        }
    }

    private void returned(int replyCode, String replyText, String exchange, String routingKey, AMQP.BasicProperties properties,
                          byte[] body) {
        String correlation = properties.getCorrelationId();
        if (correlation != null && correlation.startsWith(Topology.PROBE_PREFIX)) {
            probeReturned(correlation.substring(Topology.PROBE_PREFIX.length()), routingKey);
            return;
        }
        PendingRequest wait = correlation == null ? null : pending.get(correlation);
        if (wait == null) {
            return;
        }
        if (exchange.equals(Topology.directedExchange(options.collective()))) {
            wait.unroutable(routingKey);
        } else {
            wait.noRoute();
        }
    }

    /** A probe came back: {@code probe} is {@code <request id>:<round>}. */
    private void probeReturned(String probe, String identity) {
        int colon = probe.lastIndexOf(':');
        PendingRequest wait = colon < 0 ? null : pending.get(probe.substring(0, colon));
        if (wait == null) {
            return;
        }
        try {
            wait.probeReturned(identity, Integer.parseInt(probe.substring(colon + 1)), System.nanoTime());
        } catch (NumberFormatException e) {
            LOG.debug("Ignored a returned probe with a malformed round: {}", Names.printable(probe));
        }
    }

    /**
     * Deletes the reply queue, then closes the connection. While the connection is down or blocked (the broker
     * would not answer the delete until the alarm clears) the queue is left to its expiry.
     */
    @Override
    public void close() {
        if (lost == null && blocked == null) {
            try {
                consumer.queueDelete(replyQueue);
            } catch (IOException | AlreadyClosedException e) {
                LOG.debug("Deleting the reply queue {}: {}", replyQueue, e.toString());
            }
        } else {
            LOG.info("Left the reply queue {} to expire: the broker connection is {}", replyQueue, lost != null ? "down" : "blocked");
        }
        registryView.close();
        registryReader.close();
        if (checks != null) {
            checks.close();
        }
        try {
            connection.close(5_000);
        } catch (IOException | AlreadyClosedException e) {
            LOG.debug("Closing the client connection: {}", e.toString());
        }
    }

    /**
     * A reply to a request nobody waits for: counted, and when it answers a recent call for a host that call
     * gave up on, logged at INFO and kept. Checked like any reply first, so nobody can fake a host's late answer.
     */
    private void late(Reply reply) {
        long count = lateReplies.incrementAndGet();
        String digest = recentCalls.awaitedDigest(reply, System.nanoTime());
        if (digest != null && options.replyVerifier() != null) {
            String problem = options.replyVerifier().problem(reply, digest.isEmpty() ? null : digest);
            if (problem != null) {
                LOG.warn("Rejected a late reply claiming to come from {}: {}", Names.printable(reply.sender()), problem);
                return;
            }
        }
        LateReply late = recentCalls.late(reply, System.nanoTime());
        if (late == null) {
            LOG.debug("Ignored a late reply from {} to request {} ({} late replies so far)",
                    Names.printable(reply.sender()), reply.requestId(), count);
            return;
        }
        LOG.info("{} answered {} after the step gave up: {}{}", Names.printable(late.host()), late.action(), late.outcome(),
                reply.message().isBlank() ? "" : ": " + Names.printable(reply.message()));
    }

    /** Routes each reply to the call waiting for it. */
    private final class ReplyConsumer extends DefaultConsumer {
        ReplyConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            if (lost != null && getChannel().isOpen()) {
                recovered(); // a delivery on a reopened channel after a loss: the connection is back
            }
            String correlation = properties.getCorrelationId();
            if (correlation != null && correlation.startsWith(FLUSH_PREFIX) && body.length == 0) {
                PendingRequest wait = pending.get(correlation.substring(FLUSH_PREFIX.length()));
                if (wait != null) {
                    wait.flushed();
                }
                return;
            }
            Reply reply;
            try {
                reply = JsonCodec.instance().decodeReply(body);
            } catch (ProtocolException e) {
                LOG.warn("Dropped a malformed reply: {}", e.getMessage());
                return;
            }
            PendingRequest wait = pending.get(reply.requestId());
            if (wait == null) {
                late(reply);
            } else if (checks == null) {
                take(wait, reply);
            } else {
                String sentDigest = wait.sentDigest(reply.sender());
                checks.submit(wait, () -> {
                    String problem = options.replyVerifier().problem(reply, sentDigest);
                    if (problem != null) {
                        LOG.warn("Rejected a reply claiming to come from {}: {}", Names.printable(reply.sender()), problem);
                        wait.rejected(reply.sender(), problem);
                    } else {
                        take(wait, reply);
                    }
                });
            }
        }

        private void take(PendingRequest wait, Reply reply) {
            if (!wait.accept(reply)) {
                late(reply);
            }
        }
    }
}
