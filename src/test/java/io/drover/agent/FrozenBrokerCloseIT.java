package io.drover.agent;

import io.drover.testing.RabbitNode;
import io.drover.testing.TestFleet;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/**
 * An agent (or emulator) stopping while its broker has stopped answering: close() must still return. It waited on
 * each consumer's cancel for amqp-client's RPC timeout, ten minutes a consumer, as long as the connection itself
 * answered heartbeats (seen in CI: a 5,000-node emulator took 42 minutes to close on a loaded broker).
 */
class FrozenBrokerCloseIT {

    @Test
    void anAgentClosesWhenItsBrokersQueuesStoppedAnswering() throws Exception {
        try (RabbitNode node = RabbitNode.start("stuck");
             TestFleet fleet = new TestFleet(node.connector())) {
            for (String identity : new String[]{"stuck1.example.com", "stuck2.example.com"}) {
                fleet.start(identity, Set.of(), Map.of(), TestFleet.sandboxAgents());
            }
            // The connection answers heartbeats, so amqp-client never gives up on it; each cancel waits on a queue.
            node.suspendQueues();
            try {
                CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
                    fleet.stop("stuck1.example.com");
                    fleet.stop("stuck2.example.com");
                });
                assertDoesNotThrow(() -> closing.get(150, TimeUnit.SECONDS), "close() did not return with the broker's queues stuck");
            } finally {
                node.resumeQueues();
            }
        }
    }

    @Test
    void anAgentClosesWhenItsBrokerStoppedAnswering() throws Exception {
        try (RabbitNode node = RabbitNode.start("frozen");
             TestFleet fleet = new TestFleet(node.connector())) {
            for (String identity : new String[]{"frozen1.example.com", "frozen2.example.com"}) {
                fleet.start(identity, Set.of(), Map.of(), TestFleet.sandboxAgents());
            }
            node.freeze();
            try {
                CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
                    fleet.stop("frozen1.example.com");
                    fleet.stop("frozen2.example.com");
                });
                // Far more than the bounded wait (30 s each), far less than the ten minutes a cancel took.
                assertDoesNotThrow(() -> closing.get(150, TimeUnit.SECONDS), "close() did not return with the broker frozen");
            } finally {
                node.thaw();
            }
        }
    }
}
