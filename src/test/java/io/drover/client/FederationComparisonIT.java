package io.drover.client;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import io.drover.testing.RabbitNode;
import io.drover.testing.TcpRelay;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The alternative to {@link MultiSiteClient} that docs/sites.md weighs, measured on two RabbitMQ nodes of the test's
 * own with the federation plugin: a request exchange federated from site A to site B and a reply exchange back. It
 * prints what a round trip costs through the federation links against one broker, and checks the behaviour that
 * decided against federation: while the link is cut, a request for a host at the other site is not returned (the
 * upstream federation queue takes it), so a runner could not tell a host that is gone from one that is slow, and the
 * request is delivered when the link returns, whether or not the step still waits.
 */
class FederationComparisonIT {
    private static final String REQUESTS = "drover-fed.requests";
    private static final String REPLIES = "drover-fed.replies";
    private static final int ROUNDS = 200;

    @Test
    void federationCostsRoundTripsAndHidesAHostBehindADroppedLink() throws Exception {
        try (RabbitNode a = RabbitNode.start("fed-a"); RabbitNode b = RabbitNode.start("fed-b"); TcpRelay link = new TcpRelay(a.amqpPort())) {
            a.enablePlugin("rabbitmq_federation");
            b.enablePlugin("rabbitmq_federation");
            // Requests flow from A (the runner's site) to B, over a link (relay) the test can cut; replies from B back to A.
            b.ctl("set_parameter", "federation-upstream", "site-a", "{\"uri\":\"amqp://guest:guest@127.0.0.1:" + link.port()
                    + "\",\"reconnect-delay\":1}");
            b.ctl("set_policy", "--apply-to", "exchanges", "requests-from-a", "^drover-fed\\.requests$", "{\"federation-upstream\":\"site-a\"}");
            a.ctl("set_parameter", "federation-upstream", "site-b", "{\"uri\":\"" + b.amqpUri() + "\",\"reconnect-delay\":1}");
            a.ctl("set_policy", "--apply-to", "exchanges", "replies-from-b", "^drover-fed\\.replies$", "{\"federation-upstream\":\"site-b\"}");
            try (Connection runner = a.connector().connect("runner at A"); Connection agentSide = b.connector().connect("agent at B")) {
                Channel runnerChannel = runner.createChannel();
                Channel agentChannel = agentSide.createChannel();
                for (Channel channel : List.of(runnerChannel, agentChannel)) {
                    channel.exchangeDeclare(REQUESTS, BuiltinExchangeType.DIRECT, false, false, null);
                    channel.exchangeDeclare(REPLIES, BuiltinExchangeType.DIRECT, false, false, null);
                }
                // The agent at B: its queue bound to the requests exchange under its identity; it answers on the reply exchange.
                String agentQueue = agentChannel.queueDeclare("fed-agent-node1", false, false, true, null).getQueue();
                agentChannel.queueBind(agentQueue, REQUESTS, "node1");
                BlockingQueue<Long> agentGot = new LinkedBlockingQueue<>();
                DeliverCallback answer = (tag, delivery) -> {
                    agentGot.add(System.nanoTime());
                    synchronized (agentChannel) {
                        agentChannel.basicPublish(REPLIES, "runner", null, delivery.getBody());
                    }
                };
                agentChannel.basicConsume(agentQueue, true, answer, tag -> { });
                // The runner at A: its reply queue, and the requests the broker returns to it.
                String replyQueue = runnerChannel.queueDeclare("fed-runner", false, false, true, null).getQueue();
                runnerChannel.queueBind(replyQueue, REPLIES, "runner");
                BlockingQueue<String> replies = new LinkedBlockingQueue<>();
                runnerChannel.basicConsume(replyQueue, true, (tag, d) -> replies.add(new String(d.getBody(), StandardCharsets.UTF_8)), tag -> { });
                BlockingQueue<String> returned = new LinkedBlockingQueue<>();
                runnerChannel.addReturnListener(r -> returned.add(r.getRoutingKey()));

                // The links are up once a request makes the whole trip.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                String warm = null;
                while (warm == null && System.nanoTime() < deadline) {
                    runnerChannel.basicPublish(REQUESTS, "node1", true, null, "warm".getBytes(StandardCharsets.UTF_8));
                    warm = replies.poll(500, TimeUnit.MILLISECONDS);
                }
                assertNotNull(warm, "the federation links never carried a request and its reply");
                Thread.sleep(1_000);
                replies.clear();
                returned.clear();

                List<Long> federated = roundTrips(runnerChannel, REQUESTS, replies);
                List<Long> oneBroker = oneBrokerRoundTrips(agentSide);
                System.out.printf(Locale.ROOT, "federation: %d round trips, median us: through the federation links %d, "
                                + "on one broker %d; p90 us: %d vs %d%n", ROUNDS, percentile(federated, 50) / 1000,
                        percentile(oneBroker, 50) / 1000, percentile(federated, 90) / 1000, percentile(oneBroker, 90) / 1000);

                // A host nobody serves is returned, as Drover's "not connected" and probes need.
                runnerChannel.basicPublish(REQUESTS, "nobody", true, null, new byte[0]);
                assertEquals("nobody", returned.poll(10, TimeUnit.SECONDS), "an unbound key is returned at A");

                // The link carrying requests from A to B drops (the broker and agent at B stay up).
                link.cut(true);
                Thread.sleep(2_000);
                agentGot.clear();
                long sent = System.nanoTime();
                runnerChannel.basicPublish(REQUESTS, "node1", true, null, "while the link is down".getBytes(StandardCharsets.UTF_8));
                String wasReturned = returned.poll(5, TimeUnit.SECONDS);
                Long during = agentGot.poll(3, TimeUnit.SECONDS);
                long restored = System.nanoTime();
                link.cut(false);
                Long arrived = agentGot.poll(90, TimeUnit.SECONDS);
                System.out.printf(Locale.ROOT, "federation, link A->B cut: the request was %s to the runner; the agent at B got it %s%n",
                        wasReturned != null ? "RETURNED" : "NOT returned", arrived == null ? "never"
                                : String.format(Locale.ROOT, "%.1f s after it was sent, %.1f s after the link was back",
                                (arrived - sent) / 1e9, (arrived - restored) / 1e9));
                // What decided against federation: Drover's "not connected" (a returned request) cannot see through the link...
                assertNull(wasReturned, "a request for a host behind a cut link was returned");
                assertNull(during, "the request crossed a cut link");
                // ...and the request arrives when the link returns, whether or not the runner still waits for it.
                assertNotNull(arrived, "the held request was never delivered");
            }
        }
    }

    /** Sequential request/reply round trips through the federated exchanges, in nanoseconds. */
    private static List<Long> roundTrips(Channel runner, String exchange, BlockingQueue<String> replies) throws Exception {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            long start = System.nanoTime();
            runner.basicPublish(exchange, "node1", true, null, ("r" + i).getBytes(StandardCharsets.UTF_8));
            String reply = replies.poll(30, TimeUnit.SECONDS);
            assertEquals("r" + i, reply);
            out.add(System.nanoTime() - start);
        }
        return out;
    }

    /** The same round trips with runner and agent on one broker (what a runner connected to each site does). */
    private static List<Long> oneBrokerRoundTrips(Connection connection) throws Exception {
        Channel runner = connection.createChannel();
        Channel agent = connection.createChannel();
        runner.exchangeDeclare("drover-local.requests", BuiltinExchangeType.DIRECT, false, true, null);
        String agentQueue = agent.queueDeclare("", false, true, true, null).getQueue();
        agent.queueBind(agentQueue, "drover-local.requests", "node1");
        String replyQueue = runner.queueDeclare("", false, true, true, null).getQueue();
        agent.basicConsume(agentQueue, true, (tag, d) -> {
            synchronized (agent) {
                agent.basicPublish("", replyQueue, null, d.getBody());
            }
        }, tag -> { });
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        runner.basicConsume(replyQueue, true, (tag, d) -> replies.add(new String(d.getBody(), StandardCharsets.UTF_8)), tag -> { });
        for (int i = 0; i < 20; i++) {
            runner.basicPublish("drover-local.requests", "node1", true, null, ("r" + i).getBytes(StandardCharsets.UTF_8));
            replies.poll(30, TimeUnit.SECONDS);
        }
        return roundTrips(runner, "drover-local.requests", replies);
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }
}
