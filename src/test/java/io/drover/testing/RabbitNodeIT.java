package io.drover.testing;

import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test helper that starts RabbitMQ nodes of a test's own: it starts, stops its application, and cleans up. */
class RabbitNodeIT {
    @Test
    void startsServesRestartsAndCleansUp() throws Exception {
        Path data;
        String name;
        try (RabbitNode node = RabbitNode.start("smoke")) {
            name = node.nodeName();
            data = Path.of("target", "rabbit", name.substring(0, name.indexOf('@'))).toAbsolutePath();
            try (Connection connection = node.connector().connect("smoke")) {
                assertTrue(connection.isOpen());
            }
            node.stopApp();
            assertThrows(Exception.class, () -> node.connector().connect("while stopped").close());
            node.startApp();
            try (Connection connection = node.connector().connect("after start_app")) {
                assertTrue(connection.isOpen());
            }
        }
        assertFalse(Files.exists(data), "data directory removed");
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments()
                .map(a -> String.join(" ", a).contains(name)).orElse(false)), "no process of " + name + " left");
    }
}
