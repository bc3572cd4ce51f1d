package io.drover.transport;

import com.rabbitmq.client.Address;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Broker URIs are tried in the order given, never shuffled: the first is preferred, the rest in turn. */
class BrokerAddressesTest {
    @Test
    void theListIsNeverShuffled() {
        List<Address> given = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            given.add(new Address("127.0.0." + i, 5672));
        }
        BrokerAddresses addresses = new BrokerAddresses(given, false);
        for (int round = 0; round < 50; round++) {
            // amqp-client shuffles what getAddresses returns through maybeShuffle before every attempt.
            assertEquals(text(given), text(addresses.maybeShuffle(addresses.getAddresses())));
        }
    }

    @Test
    void aNameThatDoesNotResolveKeepsItsPlace() {
        Address unknown = new Address("no-such-broker.invalid", 5672);
        Address second = new Address("127.0.0.2", 5673);
        assertEquals(text(List.of(unknown, second)), text(new BrokerAddresses(List.of(unknown, second), false).getAddresses()));
    }

    /** host:port of each address (a resolved address is another class, equal in what matters). */
    private static List<String> text(List<Address> addresses) {
        return addresses.stream().map(a -> a.getHost() + ":" + a.getPort()).toList();
    }

    @Test
    void connectionsTryTheUrisInTheOrderGivenOnEveryAttempt() throws Exception {
        // Three "brokers" that accept and hang up, so amqp-client moves on to the next address each time: the order
        // in which they are called is the order in which the connector tries them.
        List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
        List<ServerSocket> servers = new ArrayList<>();
        List<Thread> acceptors = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                servers.add(server);
                int index = i;
                Thread acceptor = new Thread(() -> {
                    while (!server.isClosed()) {
                        try (Socket ignored = server.accept()) {
                            attempts.add(index);
                        } catch (IOException closed) {
                            return;
                        }
                    }
                }, "broker " + i);
                acceptor.setDaemon(true);
                acceptor.start();
                acceptors.add(acceptor);
            }
            // Listed as 2, 0, 1: the connector must try exactly that order, every time.
            List<Integer> order = List.of(2, 0, 1);
            List<URI> uris = order.stream().map(i -> URI.create("amqp://guest:guest@127.0.0.1:" + servers.get(i).getLocalPort())).toList();
            BrokerConnector connector = BrokerConnector.of(uris);
            for (int round = 0; round < 10; round++) {
                attempts.clear();
                // A recovering connection: that path of amqp-client is the one that shuffled (and recovery takes it too).
                assertThrows(IOException.class, () -> connector.connect("order test").close());
                awaitSize(attempts, 3);
                assertEquals(order, List.copyOf(attempts), "round " + round);
                attempts.clear();
                assertThrows(IOException.class, () -> connector.connectOnce("order test").close());
                awaitSize(attempts, 3);
                assertEquals(order, List.copyOf(attempts), "round " + round);
            }
        } finally {
            for (ServerSocket server : servers) {
                server.close();
            }
            for (Thread acceptor : acceptors) {
                acceptor.join(5_000);
            }
        }
    }

    private static void awaitSize(List<Integer> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
