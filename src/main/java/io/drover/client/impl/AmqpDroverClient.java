package io.drover.client.impl;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.Discovery;
import io.drover.client.DiscoveryOptions;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.fleet.Fleet;
import io.drover.fleet.RegistryReader;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Names;
import io.drover.protocol.ProtocolException;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.agents.rpcutil.RpcutilAgent;
import io.drover.transport.BrokerConnector;
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
 * host at once instead of waiting out the timeout. Replies arrive on one exclusive reply queue and are matched
 * to waiting calls by request id; a reply to a request nobody waits for any more is counted and dropped.
 */
public final class AmqpDroverClient implements DroverClient {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpDroverClient.class);
    private static final long PROGRESS_INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long RECONNECT_POLL_MS = 100;
    private static final String FLUSH_PREFIX = "drover-flush:";
    /** Targets named by one directed message body; see {@link #call}. */
    static final int TARGETS_PER_MESSAGE = 64;

    private final BrokerConnector broker;
    private final ClientOptions options;
    private final Connection connection;
    private final Channel publisher;
    private final Channel consumer;
    private volatile String replyQueue;
    private final Map<String, PendingRequest> pending = new ConcurrentHashMap<>();
    private final AtomicLong lateReplies = new AtomicLong();
    private final RegistryReader registryReader;

    private AmqpDroverClient(BrokerConnector broker, ClientOptions options) throws IOException, TimeoutException {
        this.broker = broker;
        this.options = options;
        this.registryReader = new RegistryReader(broker, Clock.systemUTC(), options.registry().retireAfter(),
                options.registry().lockWait());
        this.connection = broker.connect("drover client " + options.caller());
        try {
            this.publisher = connection.createChannel();
            Topology.declareExchanges(publisher, options.collective());
            publisher.addReturnListener(this::returned);
            this.consumer = connection.createChannel();
            this.replyQueue = consumer.queueDeclare().getQueue();
            // An explicit tag: see NodeHost on why generated tags break recovery on Qpid.
            consumer.basicConsume(replyQueue, true, "drover-client-" + java.util.UUID.randomUUID(), new ReplyConsumer(consumer));
            if (connection instanceof AutorecoveringConnection recovering) {
                // A server-named queue gets a new name when the connection recovers; follow it.
                recovering.addQueueRecoveryListener((oldName, newName) -> {
                    if (oldName.equals(replyQueue)) {
                        replyQueue = newName;
                    }
                });
            }
            if (connection instanceof Recoverable recoverable) {
                recoverable.addRecoveryListener(new RecoveryListener() {
                    @Override
                    public void handleRecovery(Recoverable r) {
                        LOG.info("Reconnected to the broker {}", broker);
                    }

                    @Override
                    public void handleRecoveryStarted(Recoverable r) {
                        LOG.warn("Lost the broker {}; reconnecting", broker);
                    }
                });
            }
        } catch (IOException | RuntimeException e) {
            connection.abort();
            throw e;
        }
    }

    public static AmqpDroverClient connect(BrokerConnector broker, ClientOptions options) throws IOException, TimeoutException {
        warmUp();
        return new AmqpDroverClient(broker, options);
    }

    /**
     * Runs the codec and filter code once, so the first discovery does not measure class loading and a cold
     * JSON mapper as if they were a slow node (the quiet window grows with the first reply's latency).
     */
    private static void warmUp() {
        JsonCodec codec = JsonCodec.instance();
        Request request = new Request(Request.newId(), "warmup", RpcutilAgent.NAME, "ping", Map.of("x", 1),
                Filter.parse("class(a) and b == 1").toString(), List.of("warmup"), "warmup", 1, 1, null);
        codec.decodeRequest(codec.encode(request));
        codec.decodeReply(codec.encode(new Reply(request.id(), "warmup", "rpcutil", "ping", io.drover.protocol.Status.OK, "",
                Map.of("pong", 1L), 0)));
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
    public long lateReplies() {
        return lateReplies.get();
    }

    @Override
    public Discovery discover(Filter filter, DiscoveryOptions discoveryOptions) {
        Duration cap = discoveryOptions.timeout() != null ? discoveryOptions.timeout() : options.discoveryTimeout();
        Request request = newRequest(RpcutilAgent.NAME, "ping", Map.of(), filter, cap);
        byte[] body = JsonCodec.instance().encode(sign(request));
        long start = System.nanoTime();
        PendingRequest wait = new PendingRequest(null, start);
        pending.put(request.id(), wait);
        try {
            long deadline = start + cap.toNanos();
            publish(Topology.broadcastExchange(options.collective()), RpcutilAgent.NAME, request, body, deadline);
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
            SortedMap<String, String> missing = new TreeMap<>();
            SortedSet<String> unknown = new TreeSet<>();
            if (expectation != null) {
                expectation.known().forEach((host, why) -> {
                    if (!replies.containsKey(host)) {
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
                    expectation == null ? null : expectation.source(), missing, unknown);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while discovering " + filter.describe(), e);
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
    private record Expectation(String source, Map<String, String> known, Set<String> awaited) {
    }

    private Expectation expectation(Filter filter, DiscoveryOptions discoveryOptions, Duration cap) throws InterruptedException {
        if (discoveryOptions.expectedHosts() != null) {
            Map<String, String> known = new TreeMap<>();
            for (String host : discoveryOptions.expectedHosts()) {
                known.put(host, "listed in " + discoveryOptions.hostsSource() + " and did not answer within " + seconds(cap));
            }
            return new Expectation(discoveryOptions.hostsSource(), known, known.keySet());
        }
        if (!options.registry().enabled()) {
            return null;
        }
        Fleet fleet;
        try {
            fleet = registryReader.read(options.collective());
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the fleet registry of collective " + options.collective() + " on " + broker
                    + ": " + e.getMessage() + ". Without it Drover cannot tell a missing host from one that does not match; "
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
        fleet.matching(filter).forEach((host, entry) -> {
            if (entry.stopped()) {
                known.put(host, "matched when last seen " + entry.lastSeenAgo(now) + ", when its agent stopped cleanly (goodbye); "
                        + "start the agent, or retire the host with: drover fleet forget " + host);
            } else {
                known.put(host, "matched when last seen " + entry.lastSeenAgo(now) + " and did not answer within " + seconds(cap));
                awaited.add(host);
            }
        });
        return new Expectation("the fleet registry", known, awaited);
    }

    /** Sends a marker through the client's own reply queue, behind every reply already queued there. */
    private void publishFlush(String requestId) {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId(FLUSH_PREFIX + requestId).build();
        try {
            synchronized (publisher) {
                publisher.basicPublish("", replyQueue, props, new byte[0]);
            }
        } catch (IOException | AlreadyClosedException e) {
            // Without the marker the round waits for the cap; say why.
            LOG.warn("Could not send the discovery flush marker: {}", e.toString());
        }
    }

    @Override
    public CallResult call(Call call) {
        Duration timeout = call.timeout() != null ? call.timeout() : options.callTimeout();
        Request request = newRequest(call.agent(), call.action(), call.params(), call.filter(), timeout);
        long start = System.nanoTime();
        Set<String> targets = call.targets();
        PendingRequest wait = new PendingRequest(targets, start);
        pending.put(request.id(), wait);
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
                    for (String target : chunk) {
                        publish(exchange, target, directed, body, deadline);
                    }
                }
            } else {
                publish(Topology.broadcastExchange(options.collective()), call.agent(), request,
                        JsonCodec.instance().encode(sign(request)), deadline);
            }
            long nextProgress = start + PROGRESS_INTERVAL_NANOS;
            while (true) {
                long seen = wait.version();
                if (wait.read(p -> p.complete() || (p.isNoRoute() && targets == null)) || System.nanoTime() - deadline >= 0) {
                    break;
                }
                wait.awaitChange(seen, Math.min(deadline, nextProgress));
                long now = System.nanoTime();
                if (now - nextProgress >= 0 && now - deadline < 0) {
                    nextProgress = now + PROGRESS_INTERVAL_NANOS;
                    int expected = targets == null ? -1 : targets.size();
                    wait.read(p -> {
                        call.progress().progress(p.replyCount(), expected, p.failedCount(), Duration.ofNanos(now - start));
                        return null;
                    });
                }
            }
            return result(request, call, targets, wait, Duration.ofNanos(System.nanoTime() - start), timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + call.qualifiedAction(), e);
        } finally {
            pending.remove(request.id());
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
                            : "no reply within " + seconds(timeout));
                }
            }
            return new CallResult(request.id(), call.agent(), call.action(), new TreeSet<>(expected), new TreeMap<>(replies),
                    missing, new TreeMap<>(p.unexpected()), p.duplicates(), elapsed);
        });
    }

    private static String seconds(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private Request sign(Request request) {
        return options.signer() == null ? request : options.signer().sign(request);
    }

    private Request newRequest(String agent, String action, Map<String, Object> params, Filter filter, Duration timeout) {
        int ttl = (int) Math.max(1, Math.min(JsonCodec.MAX_TTL_SECONDS, (timeout.toMillis() + 999) / 1000));
        String filterText = filter == null || filter.isAll() ? null : filter.toString();
        Request request = new Request(Request.newId(), options.collective(), agent, action, params, filterText, null,
                options.caller(), System.currentTimeMillis(), ttl, null);
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
                synchronized (publisher) {
                    publisher.basicPublish(exchange, routingKey, true, props, body);
                }
                return;
            } catch (AlreadyClosedException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("Lost the connection to the broker " + broker
                            + " and it did not come back in time to send " + request.qualifiedAction() + ": " + e.getMessage(), e);
                }
                Thread.sleep(RECONNECT_POLL_MS);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot publish " + request.qualifiedAction() + " to " + broker, e);
            }
        }
    }

    private void returned(int replyCode, String replyText, String exchange, String routingKey, AMQP.BasicProperties properties,
                          byte[] body) {
        PendingRequest wait = properties.getCorrelationId() == null ? null : pending.get(properties.getCorrelationId());
        if (wait == null) {
            return;
        }
        if (exchange.equals(Topology.directedExchange(options.collective()))) {
            wait.unroutable(routingKey);
        } else {
            wait.noRoute();
        }
    }

    @Override
    public void close() {
        try {
            connection.close(5_000);
        } catch (IOException | AlreadyClosedException e) {
            LOG.debug("Closing the client connection: {}", e.toString());
        }
    }

    /** Routes each reply to the call waiting for it. */
    private final class ReplyConsumer extends DefaultConsumer {
        ReplyConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
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
            if (wait != null && options.replyVerifier() != null) {
                String problem = options.replyVerifier().problem(reply);
                if (problem != null) {
                    LOG.warn("Rejected a reply claiming to come from {}: {}", Names.printable(reply.sender()), problem);
                    wait.rejected(reply.sender(), problem);
                    return;
                }
            }
            if (wait == null) {
                long late = lateReplies.incrementAndGet();
                LOG.debug("Ignored a late reply from {} to request {} ({} late replies so far)",
                        Names.printable(reply.sender()), reply.requestId(), late);
                return;
            }
            wait.accept(reply);
        }
    }
}
