package io.drover.agent;

import io.drover.agent.plugin.PluginFactory;
import io.drover.agents.rpcutil.RpcutilAgent;
import io.drover.catalog.RpcutilCatalog;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.testing.RabbitNode;
import io.drover.testing.RawPeer;
import io.drover.testing.TestBroker;
import io.drover.testing.TestFleet;
import io.drover.testing.TestPlugin;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: what an attacker's raw AMQP client did to agents on RabbitMQ, and that the agent still answers after
 * each attack. Every attack is followed by a normal directed ping that must be answered.
 */
class HostileClientIT {
    private static final String IDENTITY = "victim01.example.com";
    private static final Duration HEALED_WITHIN = Duration.ofSeconds(5);
    private static TestBroker broker;
    private TestFleet fleet;
    private RawPeer attacker;

    @BeforeAll
    static void broker() {
        broker = TestBroker.rabbitMq();
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void victim() throws Exception {
        fleet = new TestFleet(broker.connector());
        fleet.start(IDENTITY, Set.of("base"), Map.of("kernel", "6.1.0-13-amd64"), Map.of());
        attacker = new RawPeer(broker.connector());
        assertPingAnswered(Duration.ofSeconds(30));
    }

    @AfterEach
    void close() throws Exception {
        if (attacker != null) {
            attacker.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    private Request directed(String agent, String action, String filter) {
        return new Request(Request.newId(), fleet.collective(), agent, action, Map.of(), filter, List.of(IDENTITY), "mallory",
                System.currentTimeMillis(), 60, null);
    }

    /** The reply to {@code request}, skipping others, or null after {@code timeout}. */
    private Reply replyTo(Request request, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Reply reply = attacker.nextReply(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (reply != null && reply.requestId().equals(request.id())) {
                return reply;
            }
        }
        return null;
    }

    /**
     * Sends directed pings, a new one every half second (one sent while the queue is missing is dropped), until
     * one is answered OK; fails after {@code within}.
     */
    private void assertPingAnswered(Duration within) throws Exception {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            Request ping = directed(RpcutilCatalog.AGENT, "ping", null);
            attacker.sendDirected(ping);
            Reply reply = replyTo(ping, Duration.ofMillis(500));
            if (reply != null) {
                assertEquals(Status.OK, reply.status(), reply.message());
                return;
            }
        }
        throw new AssertionError(IDENTITY + " did not answer a directed ping within " + within.toSeconds() + " s");
    }

    @Test
    void theRegexBombGetsAClearErrorAndTheAgentKeepsAnswering() throws Exception {
        String bomb = "kernel =~ /^" + "(".repeat(200) + "(.|..)" + ")".repeat(200) + "*$/";
        Request directedBomb = directed(RpcutilCatalog.AGENT, "ping", bomb);
        attacker.sendDirected(directedBomb);
        // and as a broadcast, which reached every agent of the collective before the fix
        Request broadcastBomb = new Request(Request.newId(), fleet.collective(), RpcutilCatalog.AGENT, "ping", Map.of(), bomb,
                null, "mallory", System.currentTimeMillis(), 60, null);
        attacker.send(Topology.broadcastExchange(fleet.collective()), RpcutilCatalog.AGENT, JsonCodec.instance().encode(broadcastBomb));

        Reply reply = replyTo(directedBomb, Duration.ofSeconds(30));
        assertNotNull(reply, "the directed bomb is answered");
        assertEquals(Status.INVALID_DATA, reply.status(), reply.message());
        assertTrue(reply.message().contains("nested more than"), reply.message());
        assertPingAnswered(HEALED_WITHIN);
    }

    @Test
    void deeplyNestedFiltersGetAClearErrorAndTheAgentKeepsAnswering() throws Exception {
        for (String deep : List.of("(".repeat(2_000) + "base" + ")".repeat(2_000), "not ".repeat(1_000) + "base",
                "!".repeat(4_000) + "base")) {
            Request request = directed(RpcutilCatalog.AGENT, "ping", deep);
            attacker.sendDirected(request);
            Reply reply = replyTo(request, Duration.ofSeconds(30));
            assertNotNull(reply, "answered: " + deep.substring(0, 10));
            assertEquals(Status.INVALID_DATA, reply.status(), reply.message());
            assertTrue(reply.message().contains("nested more than"), reply.message());
        }
        assertPingAnswered(HEALED_WITHIN);
    }

    /** A firewall.block for {@code targets}, published to each: what a runner sends and an attacker captures. */
    private byte[] block(Request request) throws Exception {
        byte[] body = JsonCodec.instance().encode(request);
        for (String target : request.targets()) {
            attacker.send(Topology.directedExchange(fleet.collective()), target, body);
        }
        return body;
    }

    private Request blockRequest(List<String> targets) {
        return new Request(Request.newId(), fleet.collective(), "firewall", "block", Map.of("address", "192.0.2.77"), null, targets,
                "alice", System.currentTimeMillis(), 60, null);
    }

    private List<String> blocked(String identity) throws Exception {
        return fleet.node(identity).plugin("firewall", io.drover.agents.firewall.FirewallAgent.class).firewall().listBlocked();
    }

    @Test
    void aCapturedChangeDoesNotRunAgainAfterTheAgentRestarts() throws Exception {
        String web = "web01.example.com";
        fleet.start(web, Set.of("base"), Map.of(), TestFleet.sandboxAgents());
        Request request = blockRequest(List.of(web));
        byte[] captured = block(request);
        Reply first = replyTo(request, Duration.ofSeconds(30));
        assertNotNull(first);
        assertEquals(Status.OK, first.status(), first.message());

        fleet.kill(web);
        fleet.start(web, Set.of("base"), Map.of(), TestFleet.sandboxAgents()); // its ids in memory are gone
        attacker.send(Topology.directedExchange(fleet.collective()), web, captured);
        Reply replayed = replyTo(request, Duration.ofSeconds(30));
        assertNotNull(replayed, "the replay is answered");
        assertEquals(Status.ABORTED, replayed.status(), replayed.message());
        assertTrue(replayed.message().startsWith("refused: request created ") && replayed.message().contains("before this node began "
                + "serving"), replayed.message());
        assertEquals(List.of(), blocked(web), "the replay did not run");
    }

    @Test
    void aRequestSentWhileANodeWasDownDoesNotRunWhenReplayedAfterItComesUp() throws Exception {
        String up = "web01.example.com";
        String down = "web02.example.com";
        fleet.start(up, Set.of("base"), Map.of(), TestFleet.sandboxAgents());
        Request request = blockRequest(List.of(up, down));
        byte[] captured = block(request); // web02 has no queue: its copy is dropped, the runner reports it not connected
        Reply first = replyTo(request, Duration.ofSeconds(30));
        assertNotNull(first);
        assertEquals(up, first.sender());

        fleet.start(down, Set.of("base"), Map.of(), TestFleet.sandboxAgents());
        for (String target : List.of(up, down)) {
            attacker.send(Topology.directedExchange(fleet.collective()), target, captured);
        }
        List<Reply> replies = attacker.repliesWithin(Duration.ofSeconds(3));
        assertEquals(2, replies.size(), replies.toString());
        for (Reply reply : replies) {
            assertEquals(Status.ABORTED, reply.status(), reply.message());
            assertTrue(reply.message().contains(reply.sender().equals(up) ? "replays are refused" : "before this node began serving"),
                    reply.message());
        }
        assertEquals(List.of(), blocked(down), "the request never ran on the node that was down");
    }

    @Test
    void aCallerThePolicyDeniesCannotFillTheReplayStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // Before the fix ids were remembered before the policy check: 200,000 denied requests locked everyone out.
        String web = "web03.example.com";
        io.drover.security.Policy policy = io.drover.security.Policy.load(java.nio.file.Files.writeString(dir.resolve("policy.yaml"),
                "rules:\n  - {caller: \"*\", agent: rpcutil, actions: [ping]}\n"));
        Node guarded = fleet.start(web, Set.of("base"), Map.of(), TestFleet.sandboxAgents(), new RequestHandler(Clock.systemUTC(),
                Duration.ofSeconds(30), 3600, false, new io.drover.security.RequestSecurity(null, policy,
                io.drover.security.AuditLog.none(), null)));
        for (int i = 0; i < 250; i++) {
            attacker.sendDirected(blockRequest(List.of(web)));
            Request broadcast = new Request(Request.newId(), fleet.collective(), "firewall", "block", Map.of("address", "192.0.2.1"),
                    "identity(" + web + ")", null, "mallory", System.currentTimeMillis(), 3600, null);
            attacker.send(Topology.broadcastExchange(fleet.collective()), "firewall", JsonCodec.instance().encode(broadcast));
        }
        Request ping = new Request(Request.newId(), fleet.collective(), RpcutilCatalog.AGENT, "ping", Map.of(), null, List.of(web),
                "mallory", System.currentTimeMillis(), 60, null);
        attacker.sendDirected(ping);
        Reply pong = replyTo(ping, Duration.ofSeconds(30));
        assertNotNull(pong, "the ping after 500 denied requests is answered");
        assertEquals(Status.OK, pong.status(), pong.message());
        assertEquals(1, guarded.replayGuard().size(), "only the ping, which the policy allows, is remembered");
        assertEquals(List.of(), guarded.plugin("firewall", io.drover.agents.firewall.FirewallAgent.class).firewall().listBlocked());
    }

    @Test
    void forgedRequestsNeverReachTheWorkersNorGetBusyReplies(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // Before the fix forged requests queued for the workers like genuine ones: a flood filled the queue, every
        // forged request beyond it got a signed "busy" reply, and genuine requests waited behind them.
        java.nio.file.Path callers = java.nio.file.Files.createDirectory(dir.resolve("callers"));
        io.drover.security.KeyFiles.create(dir, "alice");
        java.nio.file.Files.copy(dir.resolve("alice.pub"), callers.resolve("alice.pub"));
        String web = "web04.example.com";
        NodeHost.Options tiny = new NodeHost.Options("drover-agent " + web, 1, 1, 1, Duration.ZERO)
                .withFatalErrorHandler(FatalErrorHandler.stopNode());
        fleet.start(web, Set.of("base"), Map.of(), TestFleet.sandboxAgents(), tiny, new RequestHandler(Clock.systemUTC(),
                Duration.ofSeconds(30), 3600, false, new io.drover.security.RequestSecurity(new io.drover.security.RequestVerifier(
                io.drover.security.TrustedKeys.load(callers)), null, io.drover.security.AuditLog.none(), null)));
        byte[] noise = new byte[64];
        for (int i = 0; i < 2_000; i++) {
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(noise);
            attacker.sendDirected(blockRequest(List.of(web)).withSignature("ed25519:" + java.util.Base64.getEncoder().encodeToString(noise)));
        }
        Request genuine = new Request(Request.newId(), fleet.collective(), "firewall", "block", Map.of("address", "192.0.2.9"), null,
                List.of(web), "alice", System.currentTimeMillis(), 60, null);
        genuine = io.drover.security.RequestSigner.load(dir.resolve("alice.key")).sign(genuine);
        attacker.sendDirected(genuine);
        int busy = 0;
        Reply answer = null;
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (answer == null && System.nanoTime() < end) {
            Reply reply = attacker.nextReply(Duration.ofSeconds(1));
            if (reply == null) {
                continue;
            }
            if (reply.message().contains("busy")) {
                busy++;
            }
            if (reply.requestId().equals(genuine.id())) {
                answer = reply;
            } else {
                assertTrue(reply.message().startsWith("refused: signature does not verify"), reply.message());
            }
        }
        assertNotNull(answer, "the genuine request is answered during the flood");
        assertEquals(Status.OK, answer.status(), answer.message());
        assertEquals(0, busy, "no forged request got a busy reply");
    }

    /**
     * The node's queue is exclusive to its agent's connection: another connection can neither delete it nor declare it
     * to consume it (the old hijack: delete, declare, consume), the broker refuses both with 405 RESOURCE_LOCKED.
     */
    @Test
    void anotherConnectionCanNeitherDeleteNorTakeANodesQueue() throws Exception {
        String queue = Topology.nodeQueue(fleet.collective(), IDENTITY);
        try (com.rabbitmq.client.Connection mallory = broker.connector().connect("mallory")) {
            IOException deleted = assertThrows(IOException.class, () -> mallory.createChannel().queueDelete(queue));
            assertTrue(String.valueOf(deleted.getCause()).contains("RESOURCE_LOCKED"), String.valueOf(deleted.getCause()));
            IOException declared = assertThrows(IOException.class,
                    () -> mallory.createChannel().queueDeclare(queue, false, false, true, null));
            assertTrue(String.valueOf(declared.getCause()).contains("RESOURCE_LOCKED"), String.valueOf(declared.getCause()));
            IOException consumed = assertThrows(IOException.class,
                    () -> mallory.createChannel().basicConsume(queue, true, (t, delivery) -> { }, t -> { }));
            assertTrue(String.valueOf(consumed.getCause()).contains("RESOURCE_LOCKED"), String.valueOf(consumed.getCause()));
        }
        assertPingAnswered(HEALED_WITHIN);
    }

    /** Deleted as only the broker's administrator still can ({@code rabbitmqctl delete_queue}): the agent declares it again. */
    @Test
    void anAgentWhoseQueueWasDeletedServesAgainWithinSeconds() throws Exception {
        String queue = Topology.nodeQueue(fleet.collective(), IDENTITY);
        try (com.rabbitmq.client.Channel admin = fleet.host(IDENTITY).ownerChannel(IDENTITY)) {
            admin.queueDelete(queue);
        }
        assertPingAnswered(HEALED_WITHIN);
        // and again: the repaired subscription can be repaired too
        try (com.rabbitmq.client.Channel admin = fleet.host(IDENTITY).ownerChannel(IDENTITY)) {
            admin.queueDelete(queue);
        }
        assertPingAnswered(HEALED_WITHIN);
    }

    @Test
    void anAgentWhoseChannelTheBrokerClosedServesAgainWithinSeconds() throws Exception {
        fleet.host(IDENTITY).provokeChannelError(IDENTITY);
        assertPingAnswered(HEALED_WITHIN);
        fleet.host(IDENTITY).provokeChannelError(IDENTITY);
        assertPingAnswered(HEALED_WITHIN);
    }

    @Test
    void anAgentWhoseConnectionTheBrokerClosedServesAgainWithinSeconds() throws Exception {
        // Closing connections by hand is for a RabbitMQ node of the test's own, never the shared one.
        try (RabbitNode own = RabbitNode.start("hostile-client");
             TestFleet ownFleet = new TestFleet(own.connector());
             RawPeer peer = new RawPeer(own.connector())) {
            ownFleet.start(IDENTITY, Set.of(), Map.of(), Map.of());
            TestFleet shared = fleet;
            RawPeer sharedPeer = attacker;
            fleet = ownFleet;
            attacker = peer;
            try {
                assertPingAnswered(Duration.ofSeconds(30));
                String connections = own.ctl("list_connections", "pid", "client_properties");
                String pid = connections.lines().filter(line -> line.contains("drover-agent " + IDENTITY))
                        .map(line -> line.split("\\s+")[0]).findFirst()
                        .orElseThrow(() -> new AssertionError("no agent connection in:\n" + connections));
                own.ctl("close_connection", pid, "closed by HostileClientIT");
                // amqp-client's recovery: reconnect (1 s interval), re-declare the auto-delete queue and consumer
                assertPingAnswered(HEALED_WITHIN);
            } finally {
                fleet = shared;
                attacker = sharedPeer;
            }
        }
    }

    @Test
    void anOversizedBodyDoesNotKillTheAgent() throws Exception {
        byte[] huge = new byte[BrokerConnector.MAX_INBOUND_BODY_BYTES + 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) 'x');
        attacker.send(Topology.directedExchange(fleet.collective()), IDENTITY, huge);
        // amqp-client refuses the body and drops the connection; recovery reconnects and re-declares (1 s interval)
        assertPingAnswered(Duration.ofSeconds(30));
    }

    @Test
    void connectionsRefuseBodiesAboveTheLimit() throws Exception {
        // amqp-client's default would take 64 MiB per message into the heap; 1,500 forged 200 KB messages already
        // took an agent's.
        java.util.concurrent.CompletableFuture<Throwable> refused = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.BlockingQueue<byte[]> received = new java.util.concurrent.LinkedBlockingQueue<>();
        try (com.rabbitmq.client.Connection connection = broker.connector().connect("drover oversized-body test")) {
            connection.addShutdownListener(cause -> refused.complete(cause));
            com.rabbitmq.client.Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            channel.basicConsume(queue, true, (tag, delivery) -> received.add(delivery.getBody()), tag -> { });
            attacker.channel().basicPublish("", queue, null, new byte[BrokerConnector.MAX_INBOUND_BODY_BYTES + 1]);
            Throwable cause = refused.get(30, java.util.concurrent.TimeUnit.SECONDS);
            StringBuilder chain = new StringBuilder();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                chain.append(t).append(" / ");
            }
            assertTrue(chain.toString().contains("too large"), chain.toString());
            assertEquals(List.of(), List.copyOf(received), "the body never reached the consumer");
        } catch (com.rabbitmq.client.AlreadyClosedException ignored) {
            // closing a connection that was already dropped
        }
    }

    @Test
    void aStackOverflowIsAnsweredAndAnotherFatalErrorStopsOnlyThatNode() throws Exception {
        List<Error> fatal = new CopyOnWriteArrayList<>();
        Node node = Node.build(new NodeSpec("errors01.example.com", List.of(fleet.collective()), Set.of(), Map.of(),
                Map.of("boom", Map.of())), new Plugins(List.of(new RpcutilAgent.Factory(), errorsPlugin())));
        NodeHost host = new NodeHost(broker.connector(), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false),
                NodeHost.Options.agent(node.identity()).withFatalErrorHandler((identity, error, stopNode) -> {
                    fatal.add(error);
                    FatalErrorHandler.stopNode().handle(identity, error, stopNode);
                }));
        try {
            host.add(List.of(node));
            Request overflow = new Request(Request.newId(), fleet.collective(), "boom", "overflow", Map.of(), null,
                    List.of(node.identity()), "mallory", System.currentTimeMillis(), 60, null);
            attacker.sendDirected(overflow);
            Reply reply = replyTo(overflow, Duration.ofSeconds(30));
            assertNotNull(reply, "a stack overflow is answered");
            assertEquals(Status.UNKNOWN_ERROR, reply.status());
            assertTrue(reply.message().contains("stack overflow"), reply.message());
            assertEquals(List.of(), fatal);

            Request oom = new Request(Request.newId(), fleet.collective(), "boom", "oom", Map.of(), null,
                    List.of(node.identity()), "mallory", System.currentTimeMillis(), 60, null);
            attacker.sendDirected(oom);
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (host.size() > 0 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertEquals(1, fatal.size(), "the fatal error strategy ran");
            assertInstanceOf(OutOfMemoryError.class, fatal.get(0));
            assertEquals(0, host.size(), "the in-JVM strategy stopped only that node");
        } finally {
            host.close();
        }
        assertPingAnswered(HEALED_WITHIN); // the other agent in this JVM is untouched
    }

    /** Actions that throw what hostile input once made the filter code throw, and worse. */
    private static PluginFactory errorsPlugin() {
        return TestPlugin.named("boom", "throws errors")
                .action("overflow", inputs -> {
                    recurse(0);
                    throw new IllegalStateException("unreachable");
                })
                .action("oom", inputs -> {
                    throw new OutOfMemoryError("simulated by HostileClientIT");
                })
                .factory();
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
