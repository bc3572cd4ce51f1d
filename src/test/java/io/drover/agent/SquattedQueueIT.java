package io.drover.agent;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.testing.RabbitNode;
import io.drover.testing.TestFleet;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose queue name another connection already holds: the agent's start-up, retried as {@code AgentMain}
 * retries it, says exactly that (not "broker not reachable") and leaves no connection behind per attempt. Runs on
 * a RabbitMQ node of its own, so counting connections counts only this test's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SquattedQueueIT {
    private RabbitNode rabbit;

    @BeforeAll
    void start() {
        rabbit = RabbitNode.start("squat");
    }

    @AfterAll
    void stop() {
        if (rabbit != null) {
            rabbit.close();
        }
    }

    @Test
    void aSquattedQueueIsReportedAsSuchAndRetriesLeakNoConnection() throws Exception {
        String identity = "web1.example.com";
        Node node = Node.build(new NodeSpec(identity, List.of("squat"), Set.of(), Map.of(), TestFleet.sandboxAgents()),
                Plugins.installed());
        try (Connection squatter = rabbit.connector().connect("squatter")) {
            Channel channel = squatter.createChannel();
            channel.queueDeclare(Topology.nodeQueue("squat", identity), false, true, true, null);
            assertEquals(1, connections(), "only the squatter is connected");
            NodeHost host = new NodeHost(rabbit.connector(), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false),
                    new NodeHost.Options("drover-agent " + identity, 2, 10, 1, Duration.ZERO));
            try {
                for (int attempt = 1; attempt <= 3; attempt++) {
                    IOException e = assertThrows(IOException.class, () -> host.add(List.of(node)));
                    assertEquals(1, connections(), "attempt " + attempt + " left its connection open");
                    String message = String.valueOf(e.getMessage());
                    assertTrue(message.startsWith("queue drover.squat.node.web1.example.com is held by another connection (another agent with this identity? squatted?)"),
                            message);
                    assertTrue(message.contains("RESOURCE_LOCKED"), message);
                }
                assertEquals(0, host.size());
            } finally {
                host.close();
            }
        }
        // the squatter is gone: the same host starts
        NodeHost host = new NodeHost(rabbit.connector(), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false),
                new NodeHost.Options("drover-agent " + identity, 2, 10, 1, Duration.ZERO));
        try {
            host.add(List.of(node));
            assertEquals(1, host.size());
        } finally {
            host.close();
        }
    }

    /** The broker's connections, as {@code rabbitmqctl list_connections} counts them (closing is asynchronous: wait a little). */
    private int connections() throws InterruptedException {
        int count = -1;
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            count = (int) rabbit.ctl("list_connections", "name").lines().filter(line -> !line.isBlank())
                    .filter(line -> !line.startsWith("name")).count();
            if (count <= 1) {
                return count;
            }
            Thread.sleep(250);
        }
        return count;
    }
}
