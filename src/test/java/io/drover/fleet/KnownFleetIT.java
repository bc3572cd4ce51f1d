package io.drover.fleet;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.agent.RequestHandler;
import io.drover.client.ClientOptions;
import io.drover.client.Discovery;
import io.drover.client.DiscoveryOptions;
import io.drover.client.DroverClient;
import io.drover.client.RegistryOptions;
import io.drover.filter.Filter;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Registration;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.testing.OnBothBrokers;
import io.drover.testing.TestBroker;
import io.drover.testing.TestFleet;
import io.drover.transport.Topology;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery knows the fleet: agents register themselves, and every registered host that matches the filter must
 * answer, whatever the quiet window would have said. Each case was a green deploy that skipped a host before.
 */
class KnownFleetIT extends OnBothBrokers {
    private static final Duration CAP = Duration.ofSeconds(1);

    private static Map<String, Object> de() {
        return Map.of("country", "de");
    }

    private static DroverClient client(TestBroker broker, TestFleet fleet) throws Exception {
        return DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(fleet.collective())
                .withDiscoveryTimeout(CAP).withCallTimeout(Duration.ofSeconds(5)));
    }

    private static TestFleet fourHosts(TestBroker broker) throws Exception {
        TestFleet fleet = new TestFleet(broker.connector());
        for (int i = 1; i <= 4; i++) {
            fleet.start("dev" + i + ".de.example.com", Set.of("roles::dev_server"), de(), TestFleet.sandboxAgents());
        }
        return fleet;
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aDeadHostFailsDiscoveryNamingItWithWhenItWasLastSeen(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); DroverClient client = client(broker, fleet)) {
            fleet.kill("dev4.de.example.com");
            Discovery discovery = client.discover(Filter.parse("country=de"));
            assertEquals(Set.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com"), discovery.identities());
            String why = discovery.missing().get("dev4.de.example.com");
            assertNotNull(why, "the dead host is missing: " + discovery);
            assertTrue(why.startsWith("matched when last seen ") && why.contains("s ago and did not answer within 1 s"), why);
            assertFalse(discovery.complete());
            assertEquals(Discovery.Ended.TIMEOUT, discovery.ended(), "waited for the registered host up to the cap");

            // Broadcast alone, as before the registry, the same dead host went unnoticed: the deploy would be green on 3 of 4.
            try (DroverClient broadcast = DroverClient.connect(broker.connector(), client.options().withRegistry(RegistryOptions.off()))) {
                Discovery blind = broadcast.discover(Filter.parse("country=de"));
                assertEquals(3, blind.size());
                assertTrue(blind.missing().isEmpty() && blind.complete());
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aCleanlyStoppedHostIsNamedAtOnceWithoutWaitingForIt(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); DroverClient client = client(broker, fleet)) {
            fleet.stop("dev2.de.example.com");
            Discovery discovery = client.discover(Filter.parse("country=de"), DiscoveryOptions.defaults().withTimeout(Duration.ofSeconds(5)));
            String why = discovery.missing().get("dev2.de.example.com");
            assertNotNull(why, discovery.toString());
            assertTrue(why.contains("stopped cleanly (goodbye)") && why.contains("drover fleet forget dev2.de.example.com"), why);
            assertEquals(Discovery.Ended.ALL_EXPECTED, discovery.ended());
            assertTrue(discovery.elapsed().compareTo(Duration.ofSeconds(4)) < 0, "did not wait for a host known to be stopped: "
                    + discovery.elapsed());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aSlowButRegisteredHostIsWaitedForWhereTheQuietWindowLostIt(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); SlowAgent slow = new SlowAgent(broker, fleet.collective(), "dev5.de.example.com",
                Duration.ofMillis(400)); DroverClient client = client(broker, fleet)) {
            Discovery discovery = client.discover(Filter.parse("country=de"));
            assertTrue(discovery.identities().contains("dev5.de.example.com"), "the slow host was waited for: " + discovery);
            assertEquals(5, discovery.size());
            assertEquals(Discovery.Ended.ALL_EXPECTED, discovery.ended());
            assertTrue(discovery.complete(), discovery.toString());

            try (DroverClient broadcast = DroverClient.connect(broker.connector(), client.options().withRegistry(RegistryOptions.off()))) {
                Discovery blind = broadcast.discover(Filter.parse("country=de"));
                assertEquals(4, blind.size(), "the quiet window ends long before a host 400 ms slower than the others: " + blind);
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aHostWhoseClockIsOffRefusesAndIsNamedWithTheReason(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); DroverClient client = client(broker, fleet)) {
            Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-5));
            fleet.start("dev5.de.example.com", Set.of(), de(), TestFleet.sandboxAgents(),
                    new RequestHandler(behind, Duration.ofSeconds(30), 3600, false));
            Discovery discovery = client.discover(Filter.parse("country=de"));
            String why = discovery.refused().get("dev5.de.example.com");
            assertNotNull(why, "the skewed host's refusal is its reason: " + discovery);
            assertTrue(why.contains("clock"), why);
            assertFalse(discovery.complete());
            assertEquals(Discovery.Ended.ALL_EXPECTED, discovery.ended(), "its refusal counts as its answer");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aHostThatNeverRegisteredIsAcceptedAndFlagged(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); DroverClient client = client(broker, fleet)) {
            fleet.startUnregistered("old1.de.example.com", Set.of(), de(), TestFleet.sandboxAgents());
            Discovery discovery = client.discover(Filter.parse("country=de"));
            assertTrue(discovery.identities().contains("old1.de.example.com"), discovery.toString());
            assertEquals(Set.of("old1.de.example.com"), discovery.unknown());
            assertTrue(discovery.missing().isEmpty());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aForgottenHostIsNoLongerExpectedUntilItRegistersAgain(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); DroverClient client = client(broker, fleet)) {
            fleet.kill("dev3.de.example.com");
            RegistryReader registry = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10));
            KnownHost forgotten = registry.forget(fleet.collective(), "dev3.de.example.com", "alice");
            assertNotNull(forgotten);
            assertNull(registry.forget(fleet.collective(), "nobody.example.com", "alice"), "an unknown host is reported as such");
            Discovery discovery = client.discover(Filter.parse("country=de"));
            assertTrue(discovery.missing().isEmpty() && discovery.complete(), discovery.toString());
            assertEquals(3, discovery.size());

            // The host comes back: its hello is newer than the tombstone, so it is part of the fleet again.
            fleet.start("dev3.de.example.com", Set.of("roles::dev_server"), de(), TestFleet.sandboxAgents());
            fleet.kill("dev3.de.example.com");
            assertTrue(client.discover(Filter.parse("country=de")).missing().containsKey("dev3.de.example.com"));
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aHostSilentLongerThanTheRetirementAgeIsRetiredAndSaidSo(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker)) {
            fleet.kill("dev1.de.example.com");
            // Read as a runner whose clock is 8 days ahead sees it: every host is silent for 8 days.
            Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(8)), ZoneOffset.UTC);
            Fleet seen = new RegistryReader(broker.connector(), later, Duration.ofDays(7), Duration.ofSeconds(10)).read(fleet.collective());
            assertTrue(seen.hosts().isEmpty(), seen.toString());
            assertEquals(4, seen.retired().size(), seen.retired().toString());
            assertTrue(seen.retired().get(0).startsWith("dev1.de.example.com (last seen 8 d ago)"), seen.retired().toString());
            // Retired hosts are gone from the registry, which is compacted, for every later reader.
            Fleet now = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10))
                    .read(fleet.collective());
            assertTrue(now.hosts().isEmpty(), now.toString());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aHostListNamesTheHostsThatMustAnswerAndNoOthers(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); DroverClient client = client(broker, fleet)) {
            Path list = Files.createTempFile("production", ".txt");
            Files.writeString(list, "# the German dev servers\ndev1.de.example.com\ndev2.de.example.com\n\nghost.de.example.com\n");
            Discovery discovery = client.discover(Filter.parse("country=de"),
                    DiscoveryOptions.defaults().expectingHosts(HostList.read(list), list.toString()));
            assertEquals(list.toString(), discovery.expectedFrom());
            assertEquals(Set.of("ghost.de.example.com"), discovery.missing().keySet());
            assertTrue(discovery.missing().get("ghost.de.example.com").startsWith("listed in " + list), discovery.toString());
            assertEquals(Set.of("dev3.de.example.com", "dev4.de.example.com"), discovery.unknown());
            Files.delete(list);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void registrationsOfAnotherCollectiveOrGarbageAreDroppedNotBelieved(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker); Connection connection = broker.connector().connect("mallory");
             Channel channel = connection.createChannel()) {
            channel.basicPublish(Topology.registryExchange(fleet.collective()), "", null, "not json".getBytes());
            Registration other = new Registration("hello", "ghost.example.com", "elsewhere", List.of(), Map.of(), List.of(), "1", "x",
                    1, System.currentTimeMillis(), 300, null, 0);
            channel.basicPublish(Topology.registryExchange(fleet.collective()), "", null, JsonCodec.instance().encode(other));
            Registration bloated = new Registration("hello", "bloated.example.com", fleet.collective(), List.of(),
                    Map.of("padding", "x".repeat(RegistryReader.MAX_REGISTRATION_BYTES)), List.of(), "1", "x", 1,
                    System.currentTimeMillis(), 300, null, 0);
            channel.basicPublish(Topology.registryExchange(fleet.collective()), "", null, JsonCodec.instance().encode(bloated));
            Fleet seen = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10))
                    .read(fleet.collective());
            assertEquals(Set.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com", "dev4.de.example.com"),
                    seen.hosts().keySet());
        }
    }

    /**
     * A runner's reader keeps its connection between reads (no handshake per discovery) but never the registry lock:
     * another reader gets it right after each read, and parallel reads on the kept connection (scenarios run in
     * parallel share one client) each see the whole registry, not a share of its messages.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aReaderKeepingItsConnectionReleasesTheLockAndReadsWholeInParallel(TestBroker broker) throws Exception {
        try (TestFleet fleet = fourHosts(broker);
             RegistryReader kept = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10))
                     .keepingConnection()) {
            RegistryReader other = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(2));
            for (int i = 0; i < 3; i++) {
                assertEquals(4, kept.read(fleet.collective()).hosts().size());
                assertEquals(4, other.read(fleet.collective()).hosts().size(), "the kept connection holds no lock between reads");
            }
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Integer>> reads = new java.util.ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    reads.add(threads.submit(() -> kept.read(fleet.collective()).hosts().size()));
                }
                for (java.util.concurrent.Future<Integer> read : reads) {
                    assertEquals(4, read.get(60, java.util.concurrent.TimeUnit.SECONDS));
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    /**
     * A registry holding more registrations than the reader's prefetch (it acknowledges nothing until it has them
     * all): 20,000 emulated nodes once failed every discovery with "Read only 10000 of 20001 registrations".
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aRegistryOfMoreThanTenThousandNodesIsReadWhole(TestBroker broker) throws Exception {
        int nodes = 10_001;
        try (TestFleet fleet = new TestFleet(broker.connector()); Connection connection = broker.connector().connect("many nodes");
             Channel channel = connection.createChannel()) {
            Topology.declareExchanges(channel, fleet.collective()); // as an agent would; the fleet's cleanup deletes them
            Topology.declareRegistry(channel, fleet.collective(), Topology.isRabbitMq(connection), false);
            publishHellos(channel, fleet.collective(), nodes);
            RegistryReader reader = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10));
            assertEquals(nodes, reader.read(fleet.collective()).hosts().size());
            assertEquals(nodes, reader.read(fleet.collective()).hosts().size(), "a second read finds them all back in the queue");
        }
    }

    /** Publishes hellos of {@code nodes} nodes {@code node-I.example.com} to the registry, confirmed by the broker. */
    private static void publishHellos(Channel channel, String collective, int nodes) throws Exception {
        channel.confirmSelect();
        long now = System.currentTimeMillis();
        for (int i = 0; i < nodes; i++) {
            Registration hello = new Registration("hello", "node-" + i + ".example.com", collective, List.of(),
                    Map.of(), List.of("rpcutil"), "1", "h" + i, now, now, 300, null, 0);
            channel.basicPublish(Topology.registryExchange(collective), "", MessageProperties.PERSISTENT_BASIC,
                    JsonCodec.instance().encode(hello));
        }
        channel.waitForConfirmsOrDie(60_000);
    }

    /**
     * A cluster's registry is a quorum queue, which counts every redelivery of a message, and RabbitMQ 4 drops a message
     * returned more than 20 times by default. A read with nothing to compact used to put the registrations back by
     * closing its channel, a return each: after 20 reads the registry would be empty. The limit here is 2, set on the
     * queue, so RabbitMQ 3.10 shows it.
     */
    @org.junit.jupiter.api.Test
    void readingAQuorumRegistryAgainAndAgainKeepsEveryRegistration() throws Exception {
        try (TestFleet fleet = new TestFleet(rabbit.connector()); Connection connection = rabbit.connector().connect("quorum registry");
             Channel channel = connection.createChannel()) {
            Topology.declareExchanges(channel, fleet.collective());
            channel.exchangeDeclare(Topology.registryExchange(fleet.collective()), BuiltinExchangeType.FANOUT, true, false, null);
            channel.queueDeclare(Topology.registryQueue(fleet.collective()), true, false, false,
                    Map.of("x-queue-type", "quorum", "x-delivery-limit", 2));
            Topology.declareRegistry(channel, fleet.collective(), true, true); // what a party of a cluster does: uses it as it is
            publishHellos(channel, fleet.collective(), 3);
            RegistryReader reader = new RegistryReader(rabbit.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10));
            for (int read = 1; read <= 8; read++) {
                assertEquals(3, reader.read(fleet.collective()).hosts().size(), "read " + read);
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aRegistrationTheBrokerRefusesNeverSilencesTheNode(TestBroker broker) throws Exception {
        try (TestFleet fleet = new TestFleet(broker.connector()); DroverClient client = client(broker, fleet)) {
            NodeHost.Options agent = NodeHost.Options.agent("dev1.de.example.com");
            fleet.start("dev1.de.example.com", Set.of(), de(), TestFleet.sandboxAgents(), new NodeHost.Options(agent.name(),
                    agent.threads(), agent.queueCapacity(), agent.nodesPerConnection(), Duration.ofMillis(100)));
            try (Connection connection = broker.connector().connect("vandal"); Channel channel = connection.createChannel()) {
                channel.exchangeDelete(Topology.registryExchange(fleet.collective()));
            }
            Thread.sleep(500); // several heartbeats, each refused by the broker (no such exchange)
            CallResult ping = client.call(Call.of("rpcutil", "ping").to(Set.of("dev1.de.example.com")));
            assertTrue(ping.allOk(), "the node still serves: " + ping);
            try (Connection connection = broker.connector().connect("repair"); Channel channel = connection.createChannel()) {
                Topology.declareRegistry(channel, fleet.collective(), Topology.isRabbitMq(connection), false);
            }
        }
    }

    /**
     * An agent that registers and then answers pings only after a delay: a host that is up but slower than the
     * quiet window, such as one that just started and is still warming up.
     */
    private static final class SlowAgent implements AutoCloseable {
        private final Connection connection;

        SlowAgent(TestBroker broker, String collective, String identity, Duration delay) throws Exception {
            connection = broker.connector().connect("slow agent " + identity);
            Channel channel = connection.createChannel();
            Topology.declareExchanges(channel, collective);
            Topology.declareRegistry(channel, collective, Topology.isRabbitMq(connection), false);
            String queue = Topology.nodeQueue(collective, identity);
            channel.queueDeclare(queue, false, true, true, null);
            channel.queueBind(queue, Topology.broadcastExchange(collective), "rpcutil");
            channel.basicConsume(queue, true, "slow-" + identity, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    Request request = JsonCodec.instance().decodeRequest(body);
                    new Thread(() -> {
                        try {
                            Thread.sleep(delay.toMillis());
                            Reply reply = new Reply(request.id(), identity, request.agent(), request.action(), Status.OK, "pong",
                                    Map.of("pong", System.currentTimeMillis()), delay.toMillis());
                            synchronized (channel) {
                                channel.basicPublish("", properties.getReplyTo(),
                                        new AMQP.BasicProperties.Builder().correlationId(request.id()).build(),
                                        JsonCodec.instance().encode(reply));
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }).start();
                }
            });
            Registration hello = new Registration("hello", identity, collective, List.of(), Map.of("country", "de"), List.of("rpcutil"),
                    "test", "x", System.currentTimeMillis(), System.currentTimeMillis(), 300, null, 0);
            channel.basicPublish(Topology.registryExchange(collective), "", MessageProperties.PERSISTENT_BASIC,
                    JsonCodec.instance().encode(hello));
        }

        @Override
        public void close() {
            connection.abort();
        }
    }
}
