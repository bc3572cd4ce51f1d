package io.drover.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.catalog.IpAddress;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.testing.RawPeer;
import io.drover.testing.TestBroker;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Agents with trusted callers, a policy, an audit log and node keys, attacked through a real broker: every
 * attack is refused without running anything, says why, and is audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIT {
    private static final String DE = "web1.de.example.com";
    private static final String FR = "web1.fr.example.com";
    private static final String LB = "192.168.1.1";

    @TempDir
    static Path dir;
    private TestBroker broker;
    private final String collective = "sec-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<NodeHost> hosts = new ArrayList<>();
    private final Map<String, Node> nodes = new java.util.HashMap<>();
    private DroverClient alice;
    private DroverClient carol;

    @BeforeAll
    void start() throws Exception {
        broker = TestBroker.embedded();
        Path keys = Files.createDirectory(dir.resolve("keys"));
        Path callers = Files.createDirectory(dir.resolve("callers"));
        TestIssuer issuer = TestIssuer.create("sec-issuer");
        for (String caller : List.of("alice", "carol", "mallory")) {
            KeyFiles.create(keys, caller);
            if (!caller.equals("mallory")) {
                Files.copy(keys.resolve(caller + ".pub"), callers.resolve(caller + ".pub"));
            }
        }
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                rules:
                  - {caller: "*", agent: rpcutil, actions: "*"}
                  - {caller: alice, agent: firewall, actions: "*", nodes: "country=de"}
                """);
        for (String identity : List.of(DE, FR)) {
            RequestSecurity security = new RequestSecurity(new RequestVerifier(TrustedKeys.load(callers)), Policy.load(policy),
                    AuditLog.toFile(dir.resolve(identity + ".audit.log")), issuer.signer(identity));
            Node node = Node.build(new NodeSpec(identity, List.of(collective), Set.of("roles::web"),
                    Map.of("country", identity.contains(".de.") ? "de" : "fr"), Map.of("firewall", Map.of("provider", "sandbox"))),
                    Plugins.installed());
            NodeHost host = new NodeHost(broker.connector(), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600,
                    false, security), NodeHost.Options.agent(identity));
            host.add(List.of(node));
            hosts.add(host);
            nodes.put(identity, node);
        }
        ReplyVerifier verifier = issuer.verifier();
        alice = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective)
                .withSigner(RequestSigner.load(keys.resolve("alice.key"))).withReplyVerifier(verifier).withCallTimeout(Duration.ofSeconds(5)));
        carol = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective)
                .withSigner(RequestSigner.load(keys.resolve("carol.key"))).withReplyVerifier(verifier).withCallTimeout(Duration.ofSeconds(5)));
    }

    @AfterAll
    void stop() {
        for (DroverClient client : new DroverClient[]{alice, carol}) {
            if (client != null) {
                client.close();
            }
        }
        hosts.forEach(NodeHost::close);
        if (broker != null) {
            broker.close();
        }
    }

    private boolean blocked(String identity) throws Exception {
        return nodes.get(identity).plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse(LB));
    }

    private Request request(String caller, String target, long created, Map<String, Object> params) {
        return new Request(Request.newId(), collective, "firewall", "block", params, null, List.of(target), caller, created, 30, null);
    }

    private Request signedBy(String keyName, Request request) throws Exception {
        return request.withSignature(Signatures.sign(KeyFiles.readPrivate(dir.resolve("keys/" + keyName + ".key")),
                JsonCodec.instance().canonical(request)));
    }

    private Reply send(Request request) throws Exception {
        try (RawPeer peer = new RawPeer(broker.connector())) {
            peer.sendDirected(request);
            Reply reply = peer.nextReply(Duration.ofSeconds(5));
            assertNotNull(reply, "a directed request is answered, even when refused");
            return reply;
        }
    }

    /** The last audit record of a request: its outcome (an action that ran also has a 'started' record before it). */
    private JsonNode auditOf(String identity, String requestId) throws Exception {
        JsonNode last = null;
        for (String line : Files.readAllLines(dir.resolve(identity + ".audit.log"))) {
            JsonNode entry = new ObjectMapper().readTree(line);
            if (entry.get("request_id").asText().equals(requestId)) {
                last = entry;
            }
        }
        return last;
    }

    private void assertRefused(Reply reply, Request request, String reason) throws Exception {
        assertEquals(Status.ABORTED, reply.status());
        assertTrue(reply.message().startsWith("refused: " + reason), reply.message());
        assertFalse(blocked(request.targets().get(0)), "nothing ran");
        JsonNode audit = auditOf(request.targets().get(0), request.id());
        assertNotNull(audit, "audited");
        assertEquals("refused", audit.get("verdict").asText());
        assertTrue(audit.get("reason").asText().startsWith(reason), audit.toString());
        assertEquals(request.caller(), audit.get("caller").asText());
    }

    @Test
    void aSignedAllowedRequestRunsAndTheSignedReplyIsBelieved() throws Exception {
        CallResult result = alice.call(Call.of("firewall", "is_blocked").param("address", LB).to(Set.of(DE)));
        assertTrue(result.allOk(), result.toString());
        assertTrue(result.replies().get(DE).signature().startsWith("ed25519:"));
        assertEquals("ran", auditOf(DE, result.requestId()).get("verdict").asText());
        assertEquals(Set.of(DE, FR), alice.discover(Filter.all()).identities(), "discovery replies are signed and verified too");
    }

    @Test
    void aForgedSignatureIsRefused() throws Exception {
        Request request = request("alice", DE, System.currentTimeMillis(), Map.of("address", LB));
        assertRefused(send(signedBy("mallory", request)), request, "signature does not verify");
    }

    @Test
    void paramsTamperedAfterSigningAreRefused() throws Exception {
        Request signed = signedBy("alice", request("alice", DE, System.currentTimeMillis(), Map.of("address", "10.9.9.9")));
        Request tampered = new Request(signed.id(), signed.collective(), signed.agent(), signed.action(), Map.of("address", LB),
                null, signed.targets(), signed.caller(), signed.created(), signed.ttl(), signed.signature());
        assertRefused(send(tampered), tampered, "signature does not verify");
    }

    @Test
    void anUnknownCallerIsRefused() throws Exception {
        Request request = signedBy("mallory", request("mallory", DE, System.currentTimeMillis(), Map.of("address", LB)));
        assertRefused(send(request), request, "unknown caller mallory");
    }

    @Test
    void anUnsignedRequestIsRefusedAndAnUnsignedBroadcastGetsNoAnswerAtAll() throws Exception {
        Request request = request("alice", DE, System.currentTimeMillis(), Map.of("address", LB));
        assertRefused(send(request), request, "unsigned request");
        Request broadcast = new Request(Request.newId(), collective, "rpcutil", "ping", Map.of(), null, null, "alice",
                System.currentTimeMillis(), 30, null);
        try (RawPeer peer = new RawPeer(broker.connector())) {
            peer.send(Topology.broadcastExchange(collective), "rpcutil", JsonCodec.instance().encode(broadcast));
            assertTrue(peer.repliesWithin(Duration.ofMillis(700)).isEmpty(), "a forged broadcast cannot make every node answer");
        }
        assertEquals("refused", auditOf(DE, broadcast.id()).get("verdict").asText());
    }

    @Test
    void anExpiredSignedRequestIsRefused() throws Exception {
        Request request = signedBy("alice", request("alice", DE, System.currentTimeMillis() - 600_000, Map.of("address", LB)));
        assertRefused(send(request), request, "request expired");
    }

    @Test
    void aFutureDatedSignedRequestIsRefused() throws Exception {
        Request request = signedBy("alice", request("alice", DE, System.currentTimeMillis() + 600_000, Map.of("address", LB)));
        assertRefused(send(request), request, "request created");
    }

    @Test
    void aReplayedSignedRequestIsRefused() throws Exception {
        Request request = signedBy("alice", request("alice", DE, System.currentTimeMillis(), Map.of("address", "10.1.1.1")));
        assertEquals(Status.OK, send(request).status());
        Reply replayed = send(request);
        assertEquals(Status.ABORTED, replayed.status());
        assertTrue(replayed.message().contains("already received"), replayed.message());
        List<String> verdicts = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(DE + ".audit.log"))) {
            JsonNode entry = new ObjectMapper().readTree(line);
            if (entry.get("request_id").asText().equals(request.id())) {
                verdicts.add(entry.get("verdict").asText());
            }
        }
        assertEquals(List.of("started", "ran", "refused"), verdicts);
        assertTrue(alice.call(Call.of("firewall", "unblock").param("address", "10.1.1.1").to(Set.of(DE))).allOk());
    }

    @Test
    void aCallerThePolicyDoesNotAllowIsDenied() throws Exception {
        CallResult result = carol.call(Call.of("firewall", "block").param("address", LB).to(Set.of(DE)));
        Reply reply = result.replies().get(DE);
        assertEquals(Status.ABORTED, reply.status());
        assertTrue(reply.message().startsWith("denied: no rule of policy.yaml allows carol to run firewall.block"), reply.message());
        assertFalse(blocked(DE));
        JsonNode audit = auditOf(DE, result.requestId());
        assertEquals("denied", audit.get("verdict").asText());
        assertTrue(carol.call(Call.of("rpcutil", "ping").to(Set.of(DE))).allOk(), "the policy allows carol rpcutil");
    }

    @Test
    void aFactConditionInThePolicyAllowsOnlyMatchingNodes() throws Exception {
        CallResult result = alice.call(Call.of("firewall", "block").param("address", "172.16.0.1").to(Set.of(DE, FR)));
        assertTrue(result.replies().get(DE).isOk(), result.toString());
        assertTrue(result.replies().get(FR).message().startsWith("denied:"), result.replies().get(FR).message());
        assertEquals("ran", auditOf(DE, result.requestId()).get("verdict").asText());
        assertEquals("denied", auditOf(FR, result.requestId()).get("verdict").asText());
        assertTrue(alice.call(Call.of("firewall", "unblock").param("address", "172.16.0.1").to(Set.of(DE))).allOk());
    }

    @Test
    void aReplyNotSignedByItsNodeIsRejected() throws Exception {
        // A rogue consumer takes the messages for "quiet.example.com" and answers in its name, without its key.
        String quiet = "quiet.example.com";
        try (Connection connection = broker.connector().connect("rogue"); Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, Topology.directedExchange(collective), quiet);
            channel.basicConsume(queue, true, "rogue-" + UUID.randomUUID(), (tag, delivery) -> {
                Request request = JsonCodec.instance().decodeRequest(delivery.getBody());
                Reply fake = new Reply(request.id(), quiet, request.agent(), request.action(), Status.OK, "forged", Map.of(), 0);
                channel.basicPublish("", delivery.getProperties().getReplyTo(), new AMQP.BasicProperties(), JsonCodec.instance().encode(fake));
            }, tag -> { });
            CallResult result = alice.call(Call.of("rpcutil", "ping").to(Set.of(FR, quiet)).timeout(Duration.ofSeconds(1)));
            assertEquals("pong", result.replies().get(FR).message(), "the real, signed reply counts");
            assertNull(result.replies().get(quiet), "the forged reply was not believed");
            String why = result.missing().get(quiet);
            assertTrue(why.startsWith("no valid reply within 1 s; rejected one: unsigned reply"), why);
            assertFalse(result.allOk());
        }
    }
}
