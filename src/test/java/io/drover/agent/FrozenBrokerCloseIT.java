package io.drover.agent;

import io.drover.testing.RabbitNode;
import io.drover.testing.TestFleet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/**
 * An agent (or emulator) stopping while its broker has stopped answering: close() must still return. It waited on
 * each consumer's cancel for amqp-client's RPC timeout, ten minutes a consumer, as long as the connection itself
 * answered heartbeats (seen in CI: a 5,000-node emulator took 42 minutes to close on a loaded broker).
 */
class FrozenBrokerCloseIT {

    @Test
    void anAgentClosesWhenItsBrokersQueuesStoppedAnswering() throws Exception {
        // The connection answers heartbeats, so amqp-client never gives up on it; each cancel waits on a queue.
        closesWith("stuck", RabbitNode::suspendQueues, RabbitNode::resumeQueues);
    }

    @Test
    void anAgentClosesWhenItsBrokerStoppedAnswering() throws Exception {
        closesWith("frozen", RabbitNode::freeze, RabbitNode::thaw);
    }

    /** Starts two agents on a RabbitMQ node of its own, breaks the node with {@code breaking}, and stops the agents. */
    private static void closesWith(String name, Consumer<RabbitNode> breaking, Consumer<RabbitNode> mending) throws Exception {
        List<String> identities = List.of(name + "1.example.com", name + "2.example.com");
        try (RabbitNode node = RabbitNode.start(name);
             TestFleet fleet = new TestFleet(node.connector())) {
            for (String identity : identities) {
                fleet.start(identity, Set.of(), Map.of(), TestFleet.sandboxAgents());
            }
            breaking.accept(node);
            try {
                CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> identities.forEach(fleet::stop));
                // Far more than the bounded wait (30 s each), far less than the ten minutes a cancel took.
                assertDoesNotThrow(() -> closing.get(150, TimeUnit.SECONDS), "close() did not return with the broker " + name);
            } finally {
                mending.accept(node);
            }
        }
    }
}
