package io.drover.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.catalog.InvalidInputException;
import io.drover.catalog.IpAddress;
import io.drover.filter.Filter;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.testing.RawPeer;
import io.drover.testing.TestBroker;
import io.drover.testing.TestFleet;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client and agents talking through a real broker: discovery with every filter kind, directed and broadcast
 * calls, missing and unexpected hosts, late replies, TTL, replay and input validation. Run against the
 * embedded broker and RabbitMQ by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RpcContract {
    private static final String LB = "192.168.1.1";
    private TestBroker broker;
    private TestFleet fleet;
    private DroverClient client;

    abstract TestBroker startBroker();

    @BeforeAll
    void startBrokerOnce() {
        broker = startBroker();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void startAgents() throws Exception {
        fleet = new TestFleet(broker.connector());
        fleet.start("web1.de.example.com", Set.of("roles::web_server", "apache"),
                Map.of("country", "de", "cpus", 4, "os", Map.of("family", "RedHat")), TestFleet.sandboxAgents());
        fleet.start("web2.de.example.com", Set.of("roles::web_server", "apache"),
                Map.of("country", "de", "cpus", 16, "os", Map.of("family", "RedHat")), TestFleet.sandboxAgents());
        fleet.start("dev1.de.example.com", Set.of("roles::dev_server"),
                Map.of("country", "de", "cpus", 2, "os", Map.of("family", "Debian")), TestFleet.sandboxAgents());
        fleet.start("web1.fr.example.com", Set.of("roles::web_server", "apache"),
                Map.of("country", "fr", "cpus", 8, "os", Map.of("family", "RedHat")), TestFleet.sandboxAgents());
        // A node without the package, service and nrpe agents.
        fleet.start("db1.us.example.com", Set.of("roles::db_server"),
                Map.of("country", "us", "cpus", 32, "os", Map.of("family", "Debian")),
                Map.of("firewall", Map.of("provider", "sandbox")));
        client = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(fleet.collective())
                .withCallTimeout(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stopAgents() throws Exception {
        if (client != null) {
            client.close();
        }
        fleet.close();
    }

    private Set<String> discover(String expression) {
        return client.discover(expression == null ? Filter.all() : Filter.parse(expression)).identities();
    }

    @Test
    void discoversEveryNodeAndEndsLongBeforeTheCap() {
        Discovery discovery = client.discover(Filter.all());
        assertEquals(Set.of("web1.de.example.com", "web2.de.example.com", "dev1.de.example.com", "web1.fr.example.com",
                "db1.us.example.com"), discovery.identities());
        assertEquals(Discovery.Ended.ALL_EXPECTED, discovery.ended(), "every registered node answered");
        assertEquals("the fleet registry", discovery.expectedFrom());
        assertTrue(discovery.missing().isEmpty() && discovery.unknown().isEmpty(), discovery.toString());
        assertTrue(discovery.elapsed().compareTo(Duration.ofMillis(1500)) < 0, "took " + discovery.elapsed());
    }

    /** A client that trusts the broadcast alone, as with drover.fleet.registry=false: the quiet window decides. */
    private DroverClient broadcastOnly() throws Exception {
        return DroverClient.connect(broker.connector(), client.options().withRegistry(RegistryOptions.off()));
    }

    @Test
    void withoutTheRegistryDiscoveryEndsOnTheQuietWindow() throws Exception {
        try (DroverClient broadcast = broadcastOnly()) {
            Discovery discovery = broadcast.discover(Filter.all());
            assertEquals(5, discovery.size());
            assertEquals(Discovery.Ended.QUIET, discovery.ended());
            assertNull(discovery.expectedFrom());
            assertTrue(discovery.elapsed().compareTo(Duration.ofMillis(1500)) < 0, "took " + discovery.elapsed());
        }
    }

    @Test
    void discoversByClass() {
        assertEquals(Set.of("web1.de.example.com", "web2.de.example.com", "web1.fr.example.com"), discover("roles::web_server"));
        assertEquals(Set.of("web1.de.example.com", "web2.de.example.com", "web1.fr.example.com", "dev1.de.example.com"),
                discover("class(/^roles::(web|dev)_/)"));
    }

    @Test
    void discoversByFact() {
        assertEquals(Set.of("web1.de.example.com", "web2.de.example.com", "dev1.de.example.com"), discover("country=de"));
        assertEquals(Set.of("web2.de.example.com", "db1.us.example.com"), discover("cpus >= 16"));
        assertEquals(Set.of("dev1.de.example.com", "db1.us.example.com"), discover("os.family =~ /^deb/i"));
        assertEquals(Set.of("web1.fr.example.com", "db1.us.example.com"), discover("country != de"));
    }

    @Test
    void discoversByIdentity() {
        assertEquals(Set.of("web1.fr.example.com"), discover("identity(web1.fr.example.com)"));
        assertEquals(Set.of("web1.de.example.com", "web1.fr.example.com"), discover("identity(/^web1\\./)"));
    }

    @Test
    void discoversByAgent() {
        assertEquals(Set.of("web1.de.example.com", "web2.de.example.com", "dev1.de.example.com", "web1.fr.example.com"),
                discover("agent(package)"));
    }

    @Test
    void discoversByCompoundFilter() {
        assertEquals(Set.of("web1.de.example.com", "web2.de.example.com", "db1.us.example.com"),
                discover("(roles::web_server and country=de) or (cpus > 16 and not agent(package))"));
        assertEquals(Set.of("dev1.de.example.com"), discover("country == de and not apache"));
    }

    @Test
    void discoveryWithAnExpectedCountEndsOnceThatManyAnswered() throws Exception {
        try (DroverClient broadcast = broadcastOnly()) {
            Discovery discovery = broadcast.discover(Filter.parse("country=de"), DiscoveryOptions.defaults().expecting(3));
            assertEquals(3, discovery.size());
            assertEquals(Discovery.Ended.EXPECTED_COUNT, discovery.ended());
            assertTrue(discovery.elapsed().compareTo(Duration.ofSeconds(1)) < 0, "took " + discovery.elapsed());
        }
    }

    @Test
    void discoveryWithAnExpectedCountStillSeesExtraNodes() {
        Discovery discovery = client.discover(Filter.parse("country=de"), DiscoveryOptions.defaults().expecting(2));
        assertEquals(3, discovery.size(), "a third matching node must not be cut off");
    }

    @Test
    void discoveryWithAnExpectedCountWaitsForMissingNodesUpToTheCap() throws Exception {
        for (DroverClient each : List.of(client, broadcastOnly())) {
            Discovery discovery = each.discover(Filter.parse("country=de"),
                    DiscoveryOptions.defaults().expecting(4).withTimeout(Duration.ofMillis(600)));
            assertEquals(3, discovery.size());
            assertEquals(Discovery.Ended.TIMEOUT, discovery.ended());
            assertTrue(discovery.elapsed().compareTo(Duration.ofMillis(590)) >= 0, "waited for the fourth: " + discovery.elapsed());
            if (each != client) {
                each.close();
            }
        }
    }

    @Test
    void discoveryOfNothingWaitsOnlyForTheCap() {
        Discovery discovery = client.discover(Filter.parse("country=xx"), DiscoveryOptions.defaults().withTimeout(Duration.ofMillis(400)));
        assertTrue(discovery.identities().isEmpty());
        assertEquals(Discovery.Ended.TIMEOUT, discovery.ended());
    }

    @Test
    void discoveryInAnEmptyCollectiveEndsAtOnce() throws Exception {
        try (DroverClient lonely = DroverClient.connect(broker.connector(),
                ClientOptions.defaults().withCollective(fleet.collective() + "-empty"))) {
            Discovery discovery = lonely.discover(Filter.all());
            assertEquals(Discovery.Ended.NO_ROUTE, discovery.ended());
            assertTrue(discovery.elapsed().compareTo(Duration.ofSeconds(1)) < 0, "took " + discovery.elapsed());
        } finally {
            try (Connection connection = broker.connector().connect("cleanup"); Channel channel = connection.createChannel()) {
                Topology.deleteExchanges(channel, fleet.collective() + "-empty");
                Topology.deleteRegistry(channel, fleet.collective() + "-empty");
            }
        }
    }

    @Test
    void directedCallIsIdempotentAndReportsChanges() {
        Set<String> hosts = discover("country=de");
        CallResult first = client.call(Call.of("firewall", "block").param("address", LB).to(hosts));
        assertTrue(first.allOk(), () -> first.toString());
        assertEquals(hosts, first.changed());
        CallResult second = client.call(Call.of("firewall", "block").param("address", LB).to(hosts));
        assertTrue(second.allOk());
        assertTrue(second.changed().isEmpty(), "blocking a blocked address changes nothing");
        assertTrue(second.elapsed().compareTo(Duration.ofSeconds(2)) < 0, "completes when all replied, not at the timeout");
        CallResult check = client.call(Call.of("firewall", "is_blocked").param("address", LB).to(hosts));
        check.replies().values().forEach(reply -> assertEquals(Boolean.TRUE, reply.get("blocked")));
    }

    @Test
    void aStoppedAgentIsReportedByNameAtOnce() {
        Set<String> hosts = discover("country=de");
        fleet.stop("web2.de.example.com");
        CallResult result = client.call(Call.of("rpcutil", "ping").to(hosts).timeout(Duration.ofSeconds(10)));
        assertFalse(result.allOk());
        assertEquals(Set.of("web2.de.example.com"), result.missing().keySet());
        assertTrue(result.missing().get("web2.de.example.com").contains("not connected"), result.missing().toString());
        assertEquals(Set.of("web1.de.example.com", "dev1.de.example.com"), result.replies().keySet());
        assertTrue(result.elapsed().compareTo(Duration.ofSeconds(5)) < 0, "the broker's return ends the wait: " + result.elapsed());
    }

    @Test
    void aSilentHostIsReportedByNameAfterTheTimeout() throws Exception {
        // A queue bound like a node's that nobody consumes: the message is routed, no reply ever comes.
        try (Connection connection = broker.connector().connect("silent node"); Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare("it-silent-" + fleet.collective(), false, true, true, null).getQueue();
            channel.queueBind(queue, Topology.directedExchange(fleet.collective()), "silent.example.com");
            Set<String> hosts = new TreeSet<>(discover("country=fr"));
            hosts.add("silent.example.com");
            CallResult result = client.call(Call.of("rpcutil", "ping").to(hosts).timeout(Duration.ofMillis(800)));
            assertEquals(Map.of("silent.example.com", "no reply within 0.8 s"), result.missing());
            assertTrue(result.replies().get("web1.fr.example.com").isOk());
        }
    }

    @Test
    void anUnexpectedReplierIsReportedByName() throws Exception {
        // A rogue consumer also bound to web1.fr's routing key answers at once in its own name, while the real
        // node takes 1.5 s over its check, so the call is still waiting when the rogue reply arrives.
        try (Connection connection = broker.connector().connect("rogue node"); Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, Topology.directedExchange(fleet.collective()), "web1.fr.example.com");
            channel.basicConsume(queue, true, "rogue", (tag, delivery) -> {
                if (delivery.getBody().length == 0) {
                    return; // the client's probe, as agents drop it
                }
                Request request = JsonCodec.instance().decodeRequest(delivery.getBody());
                Reply reply = new Reply(request.id(), "rogue.example.com", request.agent(), request.action(), Status.OK, "pong",
                        Map.of(), 0);
                channel.basicPublish("", delivery.getProperties().getReplyTo(), new AMQP.BasicProperties(),
                        JsonCodec.instance().encode(reply));
            }, tag -> { });
            CallResult result = client.call(Call.of("nrpe", "run_command").param("command", "check_slow")
                    .to(Set.of("web1.fr.example.com")));
            assertEquals(Set.of("rogue.example.com"), result.unexpected().keySet());
            assertTrue(result.replies().get("web1.fr.example.com").isOk());
            assertFalse(result.allOk(), "an unexpected replier fails the call");
        }
    }

    @Test
    void broadcastCallReachesTheMatchingNodes() {
        CallResult result = client.call(Call.of("rpcutil", "ping").broadcast(Filter.parse("country=de"))
                .timeout(Duration.ofMillis(700)));
        assertEquals(Set.of("web1.de.example.com", "web2.de.example.com", "dev1.de.example.com"), result.replies().keySet());
        assertTrue(result.missing().isEmpty());
    }

    @Test
    void aNodeWithoutTheAgentSaysSo() {
        CallResult result = client.call(Call.of("package", "status").param("package", "mywebapp").to(Set.of("db1.us.example.com")));
        Reply reply = result.replies().get("db1.us.example.com");
        assertEquals(Status.UNKNOWN_ACTION, reply.status());
        assertTrue(reply.message().contains("not enabled"), reply.message());
    }

    @Test
    void lateRepliesFromAnEarlierRequestAreIgnored() throws Exception {
        Set<String> host = Set.of("web1.de.example.com");
        CallResult slow = client.call(Call.of("nrpe", "run_command").param("command", "check_slow").to(host)
                .timeout(Duration.ofMillis(300)));
        assertEquals(host, slow.missing().keySet(), "the slow check answers after the timeout");
        long lateBefore = client.lateReplies();
        // While the slow check finishes, another call runs; the late reply must not be taken for its answer.
        CallResult ping = client.call(Call.of("rpcutil", "ping").to(host).timeout(Duration.ofSeconds(3)));
        assertEquals("ping", ping.action());
        assertEquals("ping", ping.replies().get("web1.de.example.com").action());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (client.lateReplies() == lateBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(lateBefore + 1, client.lateReplies(), "the slow check's reply arrived late and was counted, not used");
    }

    @Test
    void invalidInputIsRefusedBeforeSendingAndChangesNothing() throws Exception {
        Set<String> hosts = Set.of("web1.de.example.com");
        InvalidInputException bad = assertThrows(InvalidInputException.class,
                () -> client.call(Call.of("firewall", "block").param("address", "192.168.1.1; reboot").to(hosts)));
        assertEquals(Status.INVALID_DATA, bad.status());
        assertTrue(bad.getMessage().startsWith("Input 'address' of firewall.block '192.168.1.1; reboot' is not valid"), bad.getMessage());
        InvalidInputException unknownInput = assertThrows(InvalidInputException.class,
                () -> client.call(Call.of("firewall", "block").param("address", LB).param("force", true).to(hosts)));
        assertEquals(Status.INVALID_DATA, unknownInput.status());
        InvalidInputException missing = assertThrows(InvalidInputException.class, () -> client.call(Call.of("firewall", "block").to(hosts)));
        assertEquals(Status.MISSING_DATA, missing.status());
        InvalidInputException unknownAction = assertThrows(InvalidInputException.class,
                () -> client.call(Call.of("firewall", "flush").to(hosts)));
        assertEquals("agent firewall has no action flush (actions: block, unblock, is_blocked, list_blocked)", unknownAction.getMessage());
        assertFalse(blocked("web1.de.example.com"));
        CallResult list = client.call(Call.of("firewall", "list_blocked").to(hosts));
        assertEquals(List.of(), list.replies().get("web1.de.example.com").get("blocked"));
    }

    @Test
    void theNodeStillRefusesInvalidInputSentWithoutTheRunnersCheck() throws Exception {
        // A client of another version, or none at all, sends what the runner would have refused: the node refuses it too.
        Request bad = new Request(Request.newId(), fleet.collective(), "firewall", "block", Map.of("address", "192.168.1.1; reboot"),
                null, List.of("web1.de.example.com"), "mallory", System.currentTimeMillis(), 60, null);
        try (RawPeer peer = new RawPeer(broker.connector())) {
            peer.sendDirected(bad);
            Reply reply = peer.nextReply(Duration.ofSeconds(10));
            assertNotNull(reply, "the agent says why it refused");
            assertEquals(Status.INVALID_DATA, reply.status(), reply.message());
            assertTrue(reply.message().startsWith("Input 'address' of firewall.block '192.168.1.1; reboot' is not valid"), reply.message());
        }
        assertFalse(blocked("web1.de.example.com"));
    }

    private Request rawBlock(String target, long created, int ttl) {
        return new Request(Request.newId(), fleet.collective(), "firewall", "block", Map.of("address", LB), null, List.of(target),
                "mallory", created, ttl, null);
    }

    private boolean blocked(String identity) throws Exception {
        return fleet.node(identity).plugin("firewall", FirewallAgent.class).firewall()
                .isBlocked(IpAddress.parse(LB));
    }

    @Test
    void anExpiredRequestIsRefusedAndNotExecuted() throws Exception {
        try (RawPeer peer = new RawPeer(broker.connector())) {
            peer.sendDirected(rawBlock("web1.de.example.com", System.currentTimeMillis() - 120_000, 10));
            Reply reply = peer.nextReply(Duration.ofSeconds(5));
            assertNotNull(reply, "the agent says why it refused");
            assertEquals(Status.ABORTED, reply.status());
            assertTrue(reply.message().contains("refused: request expired"), reply.message());
            assertFalse(blocked("web1.de.example.com"));
        }
    }

    @Test
    void aFutureDatedRequestIsRefusedAndNotExecuted() throws Exception {
        try (RawPeer peer = new RawPeer(broker.connector())) {
            peer.sendDirected(rawBlock("web1.de.example.com", System.currentTimeMillis() + 600_000, 10));
            Reply reply = peer.nextReply(Duration.ofSeconds(5));
            assertNotNull(reply);
            assertTrue(reply.message().contains("in the future"), reply.message());
            assertFalse(blocked("web1.de.example.com"));
        }
    }

    @Test
    void aReplayedRequestIdIsRefused() throws Exception {
        try (RawPeer peer = new RawPeer(broker.connector())) {
            Request block = rawBlock("web1.de.example.com", System.currentTimeMillis(), 60);
            peer.sendDirected(block);
            Reply first = peer.nextReply(Duration.ofSeconds(5));
            assertEquals(Status.OK, first.status());
            assertTrue(first.changed());
            // Undo it, then replay the captured request: it must not block again.
            CallResult unblock = client.call(Call.of("firewall", "unblock").param("address", LB).to(Set.of("web1.de.example.com")));
            assertTrue(unblock.allOk());
            peer.sendDirected(block);
            Reply replayed = peer.nextReply(Duration.ofSeconds(5));
            assertEquals(Status.ABORTED, replayed.status());
            assertTrue(replayed.message().contains("already received"), replayed.message());
            assertFalse(blocked("web1.de.example.com"), "the replay was not executed");
        }
    }

    @Test
    void aRequestRedirectedToAnotherNodeIsIgnored() throws Exception {
        try (RawPeer peer = new RawPeer(broker.connector())) {
            // Addressed to web1 in its body but routed to web2's queue.
            Request request = rawBlock("web1.de.example.com", System.currentTimeMillis(), 30);
            peer.send(Topology.directedExchange(fleet.collective()), "web2.de.example.com", JsonCodec.instance().encode(request));
            assertTrue(peer.repliesWithin(Duration.ofMillis(700)).isEmpty());
            assertFalse(blocked("web2.de.example.com"));
            assertFalse(blocked("web1.de.example.com"));
        }
    }

    @Test
    void malformedMessagesAreDroppedAndTheAgentKeepsServing() throws Exception {
        try (RawPeer peer = new RawPeer(broker.connector())) {
            peer.send(Topology.directedExchange(fleet.collective()), "web1.de.example.com", "{not json".getBytes());
            peer.send(Topology.directedExchange(fleet.collective()), "web1.de.example.com", new byte[300_000]);
            assertTrue(peer.repliesWithin(Duration.ofMillis(500)).isEmpty());
        }
        assertTrue(client.call(Call.of("rpcutil", "ping").to(Set.of("web1.de.example.com"))).allOk());
    }

    /**
     * The node queue is exclusive, so the broker itself refuses a second connection that declares it (RabbitMQ 405,
     * Qpid 530), and the agent says what that means and how to fix it; the first agent keeps serving.
     */
    @Test
    void aSecondAgentWithTheSameIdentityIsRefusedByTheBroker() throws Exception {
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> fleet.start("web1.de.example.com",
                Set.of(), Map.of(), Map.of()));
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("is held by another connection (another agent with this identity?"), message);
        assertTrue(message.contains("identities must be unique: stop the other agent or give this one another identity"), message);
        assertTrue(client.call(Call.of("rpcutil", "ping").to(Set.of("web1.de.example.com"))).allOk(),
                "the first agent still serves");
    }
}
