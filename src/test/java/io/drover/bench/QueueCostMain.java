package io.drover.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.drover.testing.RabbitNode;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What each queue kind costs a RabbitMQ node of its own ({@link RabbitNode}, never the system broker): for the node
 * queues, the old kind (transient, non-exclusive, auto-delete) against the one {@link Topology#declareNodeQueue}
 * declares (exclusive, auto-delete), at each size, as the emulator connects them (200 nodes per connection, a channel
 * each; declare, bind to the directed exchange, consume): time to declare them all, broker memory per queue (the
 * Erlang VM's total before and after) and the queues' own memory ({@code rabbitmqctl list_queues memory}); for the
 * reply queue, a transient classic queue against the quorum queue {@link Topology#declareReplyQueue} declares: time
 * to receive 20,000 replies of 700 bytes from one publisher. Prints one line per measurement; figures in
 * docs/protocol.md ("Queue kinds").
 *
 * <p>Run with {@code ./mvnw -Pbench verify -Dbench.main=io.drover.bench.QueueCostMain}; {@code queues.sizes}
 * (5000,20000) sets the sizes.
 */
public final class QueueCostMain {
    private static final int NODES_PER_CONNECTION = 200;
    private static final int REPLIES = 20_000;

    private QueueCostMain() {
    }

    private enum NodeQueueKind {
        TRANSIENT_NON_EXCLUSIVE("transient non-exclusive auto-delete (before)"),
        EXCLUSIVE("exclusive auto-delete (Topology.declareNodeQueue)");

        final String label;

        NodeQueueKind(String label) {
            this.label = label;
        }

        AMQP.Queue.DeclareOk declare(Channel channel, String queue) throws java.io.IOException {
            return this == EXCLUSIVE ? Topology.declareNodeQueue(channel, queue) : channel.queueDeclare(queue, false, false, true, null);
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = Arrays.stream(System.getProperty("queues.sizes", "5000,20000").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        try (RabbitNode node = RabbitNode.start("queue-cost")) {
            BrokerConnector broker = node.connector();
            for (int size : sizes) {
                for (NodeQueueKind kind : NodeQueueKind.values()) {
                    nodeQueues(node, broker, kind, size);
                }
            }
            for (boolean quorum : new boolean[] {false, true, false, true}) {
                replyQueue(broker, quorum);
            }
        }
    }

    private static void nodeQueues(RabbitNode node, BrokerConnector broker, NodeQueueKind kind, int size) throws Exception {
        String collective = "cost" + UUID.randomUUID().toString().substring(0, 6);
        long before = erlangMemory(node);
        List<Connection> connections = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < size; i++) {
                if (i % NODES_PER_CONNECTION == 0) {
                    connections.add(broker.connect("queue-cost " + connections.size()));
                    if (i == 0) {
                        try (Channel channel = connections.get(0).createChannel()) {
                            Topology.declareExchanges(channel, collective);
                        }
                    }
                }
                Channel channel = connections.get(connections.size() - 1).createChannel();
                String identity = "node" + i + ".example.com";
                String queue = Topology.nodeQueue(collective, identity);
                kind.declare(channel, queue);
                channel.queueBind(queue, Topology.directedExchange(collective), identity);
                channel.basicConsume(queue, true, "cost-" + i, new DefaultConsumer(channel));
            }
            long declareMs = (System.nanoTime() - start) / 1_000_000;
            long after = erlangMemory(node);
            long queueMemory = node.ctl("list_queues", "--no-table-headers", "memory").lines().map(String::strip)
                    .filter(line -> line.matches("\\d+")).mapToLong(Long::parseLong).sum();
            System.out.printf("node queues, %s, %,d queues: declared+bound+consumed in %,d ms (%.2f ms each); broker memory "
                            + "+%,d KB (%,d bytes per queue, channel and consumer); list_queues memory %,d bytes per queue%n",
                    kind.label, size, declareMs, (double) declareMs / size, (after - before) / 1024, (after - before) / size,
                    queueMemory / size);
        } finally {
            for (Connection connection : connections) {
                connection.abort(10_000);
            }
            awaitNoQueues(node);
            try (Connection connection = broker.connect("queue-cost cleanup"); Channel channel = connection.createChannel()) {
                Topology.deleteExchanges(channel, collective);
            }
        }
    }

    private static void replyQueue(BrokerConnector broker, boolean quorum) throws Exception {
        try (Connection consumer = broker.connect("queue-cost replies"); Connection publisher = broker.connect("queue-cost agents")) {
            Channel channel = consumer.createChannel();
            String name = Topology.replyQueue("queue-cost");
            long declareStart = System.nanoTime();
            if (quorum) {
                Topology.declareReplyQueue(channel, name, true, true, Duration.ofMinutes(10));
            } else {
                channel.queueDeclare(name, false, false, false, java.util.Map.of("x-expires", 600_000L));
            }
            long declareUs = (System.nanoTime() - declareStart) / 1_000;
            CountDownLatch received = new CountDownLatch(REPLIES);
            channel.basicConsume(name, true, "cost-replies", new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    received.countDown();
                }
            });
            Channel agents = publisher.createChannel();
            byte[] reply = new byte[700];
            long start = System.nanoTime();
            for (int i = 0; i < REPLIES; i++) {
                agents.basicPublish("", name, null, reply);
            }
            boolean all = received.await(120, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("reply queue, %s: declared in %,d us; %,d replies of 700 bytes received in %,d ms%s%n",
                    quorum ? "quorum, durable, x-expires (Topology.declareReplyQueue for a runner of a cluster)" : "classic transient non-exclusive, x-expires (before)",
                    declareUs, REPLIES, ms, all ? "" : " (" + received.getCount() + " MISSING)");
            channel.queueDelete(name);
        }
    }

    private static long erlangMemory(RabbitNode node) throws InterruptedException {
        Thread.sleep(2_000); // let queue processes settle and the collector run before reading
        node.ctl("eval", "[erlang:garbage_collect(P) || P <- erlang:processes()], ok.");
        return Long.parseLong(node.ctl("eval", "erlang:memory(total).").strip());
    }

    private static void awaitNoQueues(RabbitNode node) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (node.ctl("list_queues", "--no-table-headers", "name").isBlank()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("queues left on " + node + " after closing their connections");
    }
}
