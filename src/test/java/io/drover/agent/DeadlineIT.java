package io.drover.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.catalog.IpAddress;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.report.HostTable;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.security.AuditLog;
import io.drover.security.RequestSecurity;
import io.drover.testing.RawPeer;
import io.drover.testing.TestBroker;
import io.drover.transport.Topology;
import org.junit.jupiter.api.Test;
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
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A request whose plugin lock stays taken (by a slow action before it) past the request's TTL never runs: not
 * while its caller waits, and not after the caller was told it got no reply. The agent gives up waiting at
 * the request's expiry, refuses it and audits the refusal. Against RabbitMQ and the embedded broker.
 */
class DeadlineIT {
    private static final String HOST = "web1.de.example.com";
    private static final String LB = "192.168.1.1";

    @TempDir
    Path dir;

    @Test
    void onRabbitMq() throws Exception {
        try (TestBroker broker = TestBroker.rabbitMq()) {
            expiredWhileWaitingForTheLockNeverRuns(broker);
        }
    }

    @Test
    void onTheEmbeddedBroker() throws Exception {
        try (TestBroker broker = TestBroker.embedded()) {
            expiredWhileWaitingForTheLockNeverRuns(broker);
        }
    }

    private void expiredWhileWaitingForTheLockNeverRuns(TestBroker broker) throws Exception {
        String collective = "deadline-" + UUID.randomUUID().toString().substring(0, 8);
        Path auditFile = dir.resolve(collective + ".audit.log");
        Node node = Node.build(new NodeSpec(HOST, List.of(collective), Set.of(), Map.of("country", "de"),
                Map.of("firewall", Map.of("provider", "sandbox"))), Plugins.installed());
        try (AuditLog audit = AuditLog.toFile(auditFile);
             NodeHost host = new NodeHost(broker.connector(), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600,
                     false, new RequestSecurity(null, null, audit, null)), NodeHost.Options.agent(HOST));
             DroverClient client = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective)
                     .withCallTimeout(Duration.ofSeconds(2)))) {
            host.add(List.of(node));
            ReentrantLock firewallLock = node.lockFor("firewall");
            List<String> ids = new ArrayList<>();
            // The test thread plays a slow firewall action that holds the lock far beyond the requests' TTL.
            firewallLock.lock();
            try {
                CallResult call = client.call(Call.of("firewall", "block").param("address", LB).to(Set.of(HOST)));
                ids.add(call.requestId());
                assertFalse(call.allOk(), "the block cannot have run while the lock is held");
                String table = HostTable.of(call).render();
                Reply refusal = call.replies().get(HOST);
                assertTrue(call.missing().containsKey(HOST) || refusal != null && refusal.status() == Status.ABORTED
                        && refusal.message().startsWith("refused: expired while waiting for the firewall lock"), table);
                assertTrue(table.contains(HostTable.NO_REPLY) || table.contains("refused: expired"), table);

                // A caller that waits longer than the TTL sees why.
                try (RawPeer peer = new RawPeer(broker.connector())) {
                    Request request = new Request(Request.newId(), collective, "firewall", "block", Map.of("address", LB), null,
                            List.of(HOST), "alice", System.currentTimeMillis(), 2, null);
                    ids.add(request.id());
                    peer.sendDirected(request);
                    Reply reply = peer.nextReply(Duration.ofSeconds(30));
                    assertNotNull(reply, "the agent gives up at the TTL and answers, although the lock is still held");
                    assertEquals(Status.ABORTED, reply.status(), reply.message());
                    assertTrue(reply.message().matches("refused: expired while waiting for the firewall lock \\(waited \\d+\\.\\d s; ttl 2 s\\)"),
                            reply.message());
                }
                for (String id : ids) {
                    awaitVerdict(auditFile, id, "refused");
                }
            } finally {
                firewallLock.unlock();
            }
            // Whatever was still pending behind the lock has had its chance now: a later firewall call queues behind it.
            CallResult after = client.call(Call.of("firewall", "is_blocked").param("address", LB).to(Set.of(HOST))
                    .timeout(Duration.ofSeconds(10)));
            assertTrue(after.allOk(), HostTable.of(after).render());
            assertEquals(false, after.replies().get(HOST).get("blocked"), "neither expired block ever ran");
            assertFalse(node.plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse(LB)));
            for (String id : ids) {
                assertEquals(List.of("refused"), verdicts(auditFile, id), "audited as refused, never started or ran");
            }
        } finally {
            try (var connection = broker.connector().connect("deadline test cleanup"); var channel = connection.createChannel()) {
                Topology.deleteExchanges(channel, collective);
            }
        }
    }

    private static void awaitVerdict(Path auditFile, String id, String verdict) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!verdicts(auditFile, id).contains(verdict)) {
            if (System.nanoTime() > deadline) {
                fail("request " + id + " was never audited as " + verdict + ": the agent still waits for the lock; audit: "
                        + verdicts(auditFile, id));
            }
            Thread.sleep(50);
        }
    }

    private static List<String> verdicts(Path auditFile, String id) throws Exception {
        List<String> verdicts = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(auditFile)) {
            JsonNode record = json.readTree(line);
            if (record.get("request_id").asText().equals(id)) {
                verdicts.add(record.get("verdict").asText());
            }
        }
        return verdicts;
    }
}
