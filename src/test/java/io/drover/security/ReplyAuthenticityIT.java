package io.drover.security;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.catalog.IpAddress;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.Discovery;
import io.drover.client.DiscoveryOptions;
import io.drover.client.DroverClient;
import io.drover.report.HostTable;
import io.drover.filter.Filter;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.runner.Constants;
import io.drover.runner.RunnerConfig;
import io.drover.testing.TestBroker;
import io.drover.testing.TestFleet;
import io.drover.testing.TestIssuer;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Someone with broker credentials tries to make a failed step pass by answering for nodes, against RabbitMQ and a
 * runner configured as operators configure it (caller key, {@code drover.issuer}). Nodes verify callers and sign
 * their replies with certificates of the fleet issuer; the attacker also holds a genuine certificate and key
 * (of a compromised node, {@link #COMPROMISED}). Every forged or misattributed reply is rejected and named, and
 * the step shows each host's genuine outcome.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplyAuthenticityIT {
    private static final String RACED = "raced.example.com";
    private static final String UNBOUND = "unbound.example.com";
    private static final String COPIED = "copied.example.com";
    private static final String COMPROMISED = "compromised.example.com";
    private static final String GHOST = "ghost.example.com";

    @TempDir
    static Path dir;
    private TestBroker broker;
    private final String collective = "authn-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<NodeHost> hosts = new ArrayList<>();
    private final Map<String, NodeHost> hostOf = new HashMap<>();
    private final Map<String, Node> nodes = new HashMap<>();
    private NodeCredentials stolen;
    private DroverClient runner;

    @BeforeAll
    void start() throws Exception {
        broker = TestBroker.rabbitMq();
        Path keys = Files.createDirectory(dir.resolve("keys"));
        Path callers = Files.createDirectory(dir.resolve("callers"));
        KeyFiles.create(keys, "alice");
        Files.copy(keys.resolve("alice.pub"), callers.resolve("alice.pub"));
        TestIssuer issuer = TestIssuer.create("fleet");
        stolen = issuer.enrol(COMPROMISED);
        for (String identity : List.of(RACED, UNBOUND, COPIED, COMPROMISED)) {
            NodeCredentials credentials = identity.equals(COMPROMISED) ? stolen : issuer.enrol(identity);
            RequestSecurity security = new RequestSecurity(new RequestVerifier(TrustedKeys.load(callers)), null, null,
                    ReplySigner.of(List.of(credentials)));
            Node node = Node.build(new NodeSpec(identity, List.of(collective), Set.of(), Map.of(), TestFleet.sandboxAgents()),
                    Plugins.installed());
            NodeHost host = new NodeHost(broker.connector(), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600,
                    false, security), NodeHost.Options.agent(identity));
            hosts.add(host);
            hostOf.put(identity, host);
            host.add(List.of(node));
            nodes.put(identity, node);
        }
        // The runner as an operator runs it: broker, caller key and the issuer's public key, nothing else.
        Path issuerKey = issuer.writePublic(dir.resolve("issuer"));
        Map<String, String> settings = Map.of(Constants.BROKER_PROPERTY_NAME, System.getenv(TestBroker.ENV),
                Constants.COLLECTIVE_PROPERTY_NAME, collective, Constants.KEY_PROPERTY_NAME, keys.resolve("alice.key").toString(),
                Constants.ISSUER_PROPERTY_NAME, issuerKey.toString());
        RunnerConfig config = RunnerConfig.read(settings::get, name -> null);
        assertFalse(config.acceptsUnsignedReplies());
        runner = DroverClient.connect(config.broker().orElseThrow().connector(), config.clientOptions());
    }

    @AfterAll
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
        hosts.forEach(NodeHost::close);
        if (broker != null) {
            try (Connection connection = broker.connector().connect("authn cleanup"); Channel channel = connection.createChannel()) {
                Topology.deleteExchanges(channel, collective);
            }
            broker.close();
        }
    }

    /** A consumer of the attacker's own queue, bound where it says; answers each delivery with {@code answer}. */
    private final class Attacker implements AutoCloseable {
        final Connection connection;
        final Channel channel;
        final String queue;
        final BlockingQueue<Delivery> seen = new LinkedBlockingQueue<>();

        Attacker(String exchange, String routingKey, Function<Request, List<Reply>> answer) throws Exception {
            connection = broker.connector().connect("attacker");
            channel = connection.createChannel();
            queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, exchange, routingKey);
            channel.basicConsume(queue, true, "attacker-" + UUID.randomUUID(), (tag, delivery) -> {
                seen.add(delivery);
                Request request = JsonCodec.instance().decodeRequest(delivery.getBody());
                for (Reply reply : answer.apply(request)) {
                    reply(delivery.getProperties(), reply);
                }
            }, tag -> { });
        }

        void reply(AMQP.BasicProperties to, Reply reply) throws java.io.IOException {
            channel.basicPublish("", to.getReplyTo(), new AMQP.BasicProperties.Builder().correlationId(reply.requestId()).build(),
                    JsonCodec.instance().encode(reply));
        }

        @Override
        public void close() throws java.io.IOException {
            connection.close();
        }
    }

    /** A forged OK, unsigned, in {@code sender}'s name. */
    private static Reply forgedOk(Request request, String sender) {
        return new Reply(request.id(), sender, request.agent(), request.action(), Status.OK, "forged OK", Map.of("changed", true), 0);
    }

    /** An OK in {@code sender}'s name, signed with the compromised node's genuine key and certificate. */
    private Reply signedWithStolenCertificate(Request request, String sender) {
        Reply reply = forgedOk(request, sender).withAuthentication(JsonCodec.instance().digest(request), stolen.certificate().encoded(), null);
        return reply.withSignature(Signatures.sign(stolen.key(), JsonCodec.instance().canonical(reply)));
    }

    private static void assertStepFailsNaming(CallResult result, String host) {
        List<HostTable.Row> failures = HostTable.of(result).failures();
        assertFalse(result.allOk(), result.toString());
        assertTrue(failures.stream().anyMatch(row -> row.host().equals(host)), "the step names " + host + ": " + failures);
    }

    @Test
    void aRacedForgedAnswerIsRejectedAndTheHostsGenuineFailureShown() throws Exception {
        try (Attacker attacker = new Attacker(Topology.directedExchange(collective), RACED,
                request -> List.of(forgedOk(request, RACED), signedWithStolenCertificate(request, RACED)))) {
            CallResult result = runner.call(Call.of("package", "install").param("package", "no-such-package").to(Set.of(RACED))
                    .timeout(Duration.ofSeconds(20)));
            assertNotNull(attacker.seen.poll(5, TimeUnit.SECONDS), "the attacker saw the request");
            Reply shown = result.replies().get(RACED);
            assertNotNull(shown, "the genuine reply counts: " + result);
            assertEquals(Status.ABORTED, shown.status());
            assertTrue(shown.message().contains("Unable to locate package no-such-package"), shown.message());
            assertStepFailsNaming(result, RACED);
        }
    }

    @Test
    void answeringForAnUnboundNodeIsRejectedAndTheHostNamed() throws Exception {
        // Only the broker's administrator can still unbind another connection's exclusive queue: its owner's connection stands in.
        Channel admin = hostOf.get(UNBOUND).ownerChannel(UNBOUND);
        admin.queueUnbind(Topology.nodeQueue(collective, UNBOUND), Topology.directedExchange(collective), UNBOUND);
        try (Attacker attacker = new Attacker(Topology.directedExchange(collective), UNBOUND,
                request -> List.of(forgedOk(request, UNBOUND), signedWithStolenCertificate(request, UNBOUND)))) {
            CallResult result = runner.call(Call.of("firewall", "block").param("address", "192.168.1.1").to(Set.of(UNBOUND))
                    .timeout(Duration.ofSeconds(4)));
            assertNotNull(attacker.seen.poll(5, TimeUnit.SECONDS), "the attacker got the request instead of the node");
            assertNull(result.replies().get(UNBOUND), "no forged reply is believed: " + result);
            String why = result.missing().get(UNBOUND);
            assertTrue(why != null && why.startsWith("no valid reply within 4 s; rejected one: "), why);
            assertStepFailsNaming(result, UNBOUND);
            assertFalse(nodes.get(UNBOUND).plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse("192.168.1.1")),
                    "the block never reached the node");
        } finally {
            admin.queueBind(Topology.nodeQueue(collective, UNBOUND), Topology.directedExchange(collective), UNBOUND);
            admin.close();
        }
    }

    @Test
    void aGhostHostAnsweringDiscoveryIsRefusedAndNamed() throws Exception {
        String ghostWithCertificate = "ghost2.example.com";
        try (Attacker attacker = new Attacker(Topology.broadcastExchange(collective), "rpcutil",
                request -> List.of(forgedOk(request, GHOST), signedWithStolenCertificate(request, ghostWithCertificate)))) {
            Discovery discovery = runner.discover(Filter.all(), DiscoveryOptions.defaults().expecting(4));
            assertNotNull(attacker.seen.poll(5, TimeUnit.SECONDS), "the attacker saw the discovery");
            assertEquals(Set.of(RACED, UNBOUND, COPIED, COMPROMISED), discovery.identities(), "only real, enrolled nodes are found");
            assertTrue(discovery.refused().getOrDefault(GHOST, "").startsWith("reply rejected: unsigned reply"), discovery.refused().toString());
            assertTrue(discovery.refused().getOrDefault(ghostWithCertificate, "").contains("carries the certificate of " + COMPROMISED),
                    discovery.refused().toString());
        }
    }

    @Test
    void aGenuineRefusalOfAnAlteredCopyDoesNotPassForTheAnswerToTheOriginal() throws Exception {
        // The attacker takes the request off the node's binding, has the node refuse an altered copy (its reply
        // going to the runner), then lets the original through.
        String nodeQueue = Topology.nodeQueue(collective, COPIED);
        Channel admin = hostOf.get(COPIED).ownerChannel(COPIED);
        admin.queueUnbind(nodeQueue, Topology.directedExchange(collective), COPIED);
        try (Attacker attacker = new Attacker(Topology.directedExchange(collective), COPIED, request -> List.of())) {
            CallResult[] result = new CallResult[1];
            Thread caller = new Thread(() -> result[0] = runner.call(Call.of("firewall", "block").param("address", "10.9.9.9")
                    .to(Set.of(COPIED)).timeout(Duration.ofSeconds(30))));
            caller.start();
            Delivery original = attacker.seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(original, "the attacker holds the original");
            Request request = JsonCodec.instance().decodeRequest(original.getBody());
            Request copy = new Request(request.id(), request.collective(), request.agent(), request.action(), request.params(),
                    request.filter(), request.targets(), request.caller(), request.created(), request.ttl() + 1, request.signature());
            AMQP.BasicProperties props = original.getProperties();
            try (RefusalWatch watch = new RefusalWatch()) {
                // The same copy, once to a queue the attacker reads to know the refusal was made, once for the runner.
                attacker.channel.basicPublish("", nodeQueue, props.builder().replyTo(watch.queue).build(), JsonCodec.instance().encode(copy));
                attacker.channel.basicPublish("", nodeQueue, props, JsonCodec.instance().encode(copy));
                Reply refusal = watch.replies.poll(10, TimeUnit.SECONDS);
                assertNotNull(refusal, "the node answered the copy");
                assertTrue(refusal.message().startsWith("refused: signature does not verify"), refusal.message());
                assertNotNull(refusal.signature(), "a genuinely signed refusal");
            }
            Thread.sleep(500); // let the refusal sent to the runner get there first
            attacker.channel.basicPublish("", nodeQueue, props, original.getBody());
            caller.join(40_000);
            CallResult outcome = result[0];
            assertNotNull(outcome);
            Reply shown = outcome.replies().get(COPIED);
            assertNotNull(shown, outcome.toString());
            assertEquals(Status.OK, shown.status(), "the step shows what the original did, not the copy's refusal: " + shown);
            assertTrue(nodes.get(COPIED).plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse("10.9.9.9")));
        } finally {
            admin.queueBind(nodeQueue, Topology.directedExchange(collective), COPIED);
            admin.close();
        }
    }

    /** A reply queue of the attacker's own. */
    private final class RefusalWatch implements AutoCloseable {
        final Connection connection;
        final String queue;
        final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();

        RefusalWatch() throws Exception {
            connection = broker.connector().connect("attacker watch");
            Channel channel = connection.createChannel();
            queue = channel.queueDeclare().getQueue();
            channel.basicConsume(queue, true, "watch-" + UUID.randomUUID(),
                    (tag, delivery) -> replies.add(JsonCodec.instance().decodeReply(delivery.getBody())), tag -> { });
        }

        @Override
        public void close() throws java.io.IOException {
            connection.close();
        }
    }
}
