package io.drover.client;

import io.drover.report.HostTable;
import io.drover.testing.RabbitNode;
import io.drover.testing.TestFleet;
import io.drover.transport.BrokerConnector;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.drover.testing.TestFleet.sandboxAgents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker list is an order, not a pool: an agent and a runner listing two brokers of their own (n1, n2) connect
 * to n1; when n1 stops they fail over to n2 and keep answering; when n1 is back they stay on n2 (no reconnection
 * storm mid-deploy); when n2 stops they go back to n1, the first of the list, not to whatever a shuffle picks.
 */
class BrokerFailoverIT {
    private static final String HOST = "web1.example.com";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void theFirstBrokerIsPreferredTheRestFollowInOrderAndAFailedOverConnectionStays() throws Exception {
        RabbitNode.Home home = RabbitNode.Home.create();
        try (RabbitNode n1 = RabbitNode.start("failover-1", home); RabbitNode n2 = RabbitNode.start("failover-2", home)) {
            BrokerConnector both = BrokerConnector.of(List.of(URI.create(n1.amqpUri()), URI.create(n2.amqpUri())));
            // amqp-client shuffled a list of several addresses: about half of these landed on n2.
            for (int i = 0; i < 10; i++) {
                try (var connection = both.connect("drover order check " + i)) {
                    assertEquals(n1.amqpPort(), connection.getPort(), "connection " + i + " went to the second broker");
                }
            }
            // Both sides declare the collective's exchanges; on two separate brokers both must, on whichever they reach.
            try (TestFleet fleet = new TestFleet(both)) {
                fleet.start(HOST, Set.of(), Map.of(), sandboxAgents());
                try (DroverClient client = DroverClient.connect(both, ClientOptions.defaults().withCollective(fleet.collective()))) {
                    assertAgentOn(n1, n2);
                    assertAnswers(client);

                    n1.stop();
                    awaitAgentOn(n2, null);
                    assertAnswers(client);

                    n1.restart();
                    // Give a reconnection that moved back every chance to happen: it must not.
                    Thread.sleep(3 * BrokerConnector.RECOVERY_INTERVAL_MS);
                    assertAgentOn(n2, n1);
                    assertAnswers(client);

                    n2.stop();
                    awaitAgentOn(n1, null);
                    assertAnswers(client);
                }
            }
        }
    }

    private static void assertAnswers(DroverClient client) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        CallResult result;
        do {
            // Right after a failover the agent may still be re-declaring its queue: "not connected" for a moment.
            result = client.call(Call.of("rpcutil", "ping").to(Set.of(HOST)).timeout(Duration.ofSeconds(10)));
        } while (!result.allOk() && System.nanoTime() < deadline);
        assertTrue(result.allOk(), HostTable.of(result).render());
        assertEquals(Set.of(HOST), result.replies().keySet());
    }

    /** The agent's connection is on {@code on}, and none on {@code notOn} (null: that node is down). */
    private static void assertAgentOn(RabbitNode on, RabbitNode notOn) {
        assertTrue(agentConnected(on), "the agent is not on " + on);
        if (notOn != null) {
            assertTrue(!agentConnected(notOn), "the agent is on " + notOn);
        }
    }

    private static void awaitAgentOn(RabbitNode on, RabbitNode notOn) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!agentConnected(on) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertAgentOn(on, notOn);
    }

    private static boolean agentConnected(RabbitNode node) {
        return node.ctl("list_connections", "client_properties").contains("drover-agent " + HOST);
    }
}
