package io.drover.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Envelope;
import io.drover.catalog.RpcutilCatalog;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSigner;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What the raw floor's shortcuts are worth: the benchmark's raw floor ({@link RawResponders}) sends a 4-byte request
 * and 13-byte replies to a server-named transient queue without {@code mandatory}; Drover sends a signed request, JSON
 * replies, each signed by its node and checked by the client, to a durable reply queue with an expiry, with
 * {@code mandatory}. This times a broadcast to N plain
 * responders and back with each of Drover's choices alone, then all of them, with no Drover code on the path: the
 * bodies are Drover's real ones (a signed discovery request, an OK ping reply), encoded once. Figures in
 * docs/performance.md.
 *
 * <p>Run with {@code ./mvnw -Pbench verify -Dbench.main=io.drover.bench.FloorVariantsMain}; {@code bench.sizes}
 * (100,1000,5000) and {@code bench.rounds} (10) set the sizes and rounds; the broker is {@code DROVER_IT_AMQP_URI} or
 * the local one.
 */
public final class FloorVariantsMain {
    private static final int NODES_PER_CONNECTION = 200;
    private static final byte[] RAW_REQUEST = "ping".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RAW_REPLY = "{\"pong\":true}".getBytes(StandardCharsets.UTF_8);

    private FloorVariantsMain() {
    }

    /** One way of sending the broadcast and its replies. */
    private record Variant(String name, boolean signedRequest, boolean jsonReply, boolean durableReplyQueue, boolean mandatory,
                           boolean signedReply) {
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant("raw floor", false, false, false, false, false),
            new Variant("+ signed request", true, false, false, false, false),
            new Variant("+ JSON reply", false, true, false, false, false),
            new Variant("+ durable reply queue", false, false, true, false, false),
            new Variant("+ mandatory", false, false, false, true, false),
            new Variant("+ signed, checked reply", false, true, false, false, true),
            new Variant("all of Drover's", true, true, true, true, true));

    public static void main(String[] args) throws Exception {
        String uri = System.getenv().getOrDefault("DROVER_IT_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672");
        int rounds = Integer.getInteger("bench.rounds", 10);
        Path keys = Files.createTempDirectory("drover-floor-variants");
        KeyFiles.create(keys, "bench");
        Request request = new Request(Request.newId(), "bench-1000-abcdef", RpcutilCatalog.AGENT, RpcutilCatalog.PING, Map.of(), null,
                null, "bench", System.currentTimeMillis(), 2, false, null);
        byte[] signed = JsonCodec.instance().encode(RequestSigner.load(keys.resolve("bench.key")).sign(request));
        Reply pong = new Reply(request.id(), "node-01234.bench.example.com", RpcutilCatalog.AGENT,
                RpcutilCatalog.PING, Status.OK, "", Map.of(RpcutilCatalog.PONG, System.currentTimeMillis()), 0);
        byte[] json = JsonCodec.instance().encode(pong);
        System.out.printf("request %d bytes signed (raw %d), reply %d bytes JSON (raw %d)%n", signed.length, RAW_REQUEST.length,
                json.length, RAW_REPLY.length);
        System.out.printf("%6s  %-24s %10s %10s %7s%n", "N", "variant", "median ms", "min ms", "ratio");
        for (String size : System.getProperty("bench.sizes", "100,1000,5000").split(",")) {
            measure(BrokerConnector.of(uri), Integer.parseInt(size.strip()), rounds, signed, json, pong);
        }
        System.exit(0);
    }

    private static void measure(BrokerConnector broker, int n, int rounds, byte[] signed, byte[] json, Reply pong) throws Exception {
        ExecutorService deliveries = Executors.newFixedThreadPool(2);
        // Each reply signed by its node as the emulator does (one enrolled node stands for all: the cost is per reply) and
        // checked by the client as a runner does: decode, certificate, signature, request digest.
        io.drover.testing.TestIssuer issuer = io.drover.testing.TestIssuer.create("floor-issuer");
        io.drover.security.ReplySigner replySigner = issuer.signer(pong.sender());
        io.drover.security.ReplyVerifier replyVerifier = issuer.verifier();
        String digest = JsonCodec.instance().digest(JsonCodec.instance().decodeRequest(signed)); // what a runner remembers it sent
        java.util.concurrent.atomic.AtomicBoolean signReplies = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger rejected = new java.util.concurrent.atomic.AtomicInteger();
        String exchange = "floor-variants-" + UUID.randomUUID().toString().substring(0, 8);
        byte[][] reply = {RAW_REPLY};
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                if (i % NODES_PER_CONNECTION == 0) {
                    connections.add(broker.connect("floor variants #" + connections.size(), deliveries));
                    if (i == 0) {
                        Channel declarer = connections.get(0).createChannel();
                        declarer.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
                    }
                }
                Channel channel = connections.get(connections.size() - 1).createChannel();
                String queue = channel.queueDeclare(exchange + "." + i, false, true, true, null).getQueue();
                channel.queueBind(queue, exchange, "ping");
                channel.basicConsume(queue, true, "floor-" + i, new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
                        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId(properties.getCorrelationId()).build();
                        byte[] answer = signReplies.get() ? JsonCodec.instance().encode(replySigner.sign(pong, digest)) : reply[0];
                        synchronized (channel) {
                            channel.basicPublish("", properties.getReplyTo(), props, answer);
                        }
                    }
                });
            }
            try (Connection client = broker.connect("floor variants client"); Channel channel = client.createChannel()) {
                String transientQueue = channel.queueDeclare().getQueue();
                String durableQueue = Topology.replyQueue("floor-variants");
                // As Drover declares a runner's reply queue on a single broker: classic, durable, with an expiry.
                Topology.declareReplyQueue(channel, durableQueue, true, false, java.time.Duration.ofMinutes(10));
                Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
                DeliverCallback count = (tag, delivery) -> {
                    CountDownLatch latch = waiting.get(delivery.getProperties().getCorrelationId());
                    if (latch != null && signReplies.get() && !authentic(replyVerifier, delivery.getBody(), digest)) {
                        rejected.incrementAndGet();
                        return;
                    }
                    if (latch != null) {
                        latch.countDown();
                    }
                };
                channel.basicConsume(transientQueue, true, count, tag -> { });
                channel.basicConsume(durableQueue, true, count, tag -> { });
                // Interleaved, a round of every variant at a time, so the broker's drift over the run hits them alike.
                Map<Variant, List<Long>> times = new java.util.LinkedHashMap<>();
                VARIANTS.forEach(variant -> times.put(variant, new ArrayList<>()));
                int warmup = 3;
                for (int round = 0; round < warmup + rounds; round++) {
                    for (Variant variant : VARIANTS) {
                        reply[0] = variant.jsonReply() ? json : RAW_REPLY;
                        signReplies.set(variant.signedReply());
                        String id = UUID.randomUUID().toString();
                        CountDownLatch latch = new CountDownLatch(n);
                        waiting.put(id, latch);
                        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId(id).deliveryMode(1)
                                .replyTo(variant.durableReplyQueue() ? durableQueue : transientQueue).build();
                        long start = System.nanoTime();
                        channel.basicPublish(exchange, "ping", variant.mandatory(), props, variant.signedRequest() ? signed : RAW_REQUEST);
                        if (!latch.await(60, TimeUnit.SECONDS)) {
                            throw new IllegalStateException(variant.name() + ": " + latch.getCount() + " of " + n + " replies missing, "
                                    + rejected.get() + " rejected (" + FIRST_PROBLEM.get() + ")");
                        }
                        if (round >= warmup) {
                            times.get(variant).add(System.nanoTime() - start);
                        }
                        waiting.remove(id);
                        Thread.sleep(50);
                    }
                }
                double floor = 0;
                for (Variant variant : VARIANTS) {
                    List<Long> sorted = new ArrayList<>(times.get(variant));
                    Collections.sort(sorted);
                    double median = sorted.get(sorted.size() / 2) / 1e6;
                    if (floor == 0) {
                        floor = median;
                    }
                    System.out.printf("%6d  %-24s %10.1f %10.1f %7.2f%n", n, variant.name(), median, sorted.get(0) / 1e6, median / floor);
                }
                channel.queueDelete(durableQueue);
            }
        } finally {
            connections.forEach(connection -> connection.abort(5_000));
            deliveries.shutdownNow();
        }
    }

    private static final java.util.concurrent.atomic.AtomicReference<String> FIRST_PROBLEM = new java.util.concurrent.atomic.AtomicReference<>();

    private static boolean authentic(io.drover.security.ReplyVerifier verifier, byte[] body, String digest) {
        try {
            String problem = verifier.problem(JsonCodec.instance().decodeReply(body), digest);
            if (problem != null && FIRST_PROBLEM.compareAndSet(null, problem)) {
                System.out.println("a reply was rejected: " + problem);
            }
            return problem == null;
        } catch (RuntimeException e) {
            FIRST_PROBLEM.compareAndSet(null, e.toString());
            return false;
        }
    }
}
