package io.drover.fleet;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.testing.OnBothBrokers;
import io.drover.testing.TestBroker;
import io.drover.testing.TestFleet;
import io.drover.transport.Topology;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A client's live view of the registry: after its first whole read, registrations, tombstones and goodbyes published
 * later reach it without another whole read; anything that may have made it miss one makes the next read whole.
 */
class RegistryViewIT extends OnBothBrokers {
    private static final String DEV1 = "dev1.de.example.com";
    private static final String DEV2 = "dev2.de.example.com";
    private static final String DEV3 = "dev3.de.example.com";

    private static TestFleet twoHosts(TestBroker broker) throws Exception {
        TestFleet fleet = new TestFleet(broker.connector());
        for (String host : new String[] {DEV1, DEV2}) {
            fleet.start(host, Set.of("roles::dev_server"), Map.of("country", "de"), TestFleet.sandboxAgents());
        }
        return fleet;
    }

    /** A view as a client has it, on a reader keeping its connection; closed with the returned resource. */
    private record Viewed(RegistryView view, RegistryReader reader) implements AutoCloseable {
        static Viewed of(TestBroker broker, String collective, long threshold) {
            return of(broker, collective, threshold, Duration.ofMinutes(5));
        }

        static Viewed of(TestBroker broker, String collective, long threshold, Duration refreshAfter) {
            RegistryReader reader = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10))
                    .keepingConnection();
            return new Viewed(new RegistryView(reader, collective, Topology.registryView(Topology.replyQueue("view-it")),
                    Clock.systemUTC(), Duration.ofDays(7), refreshAfter, threshold), reader);
        }

        @Override
        public void close() {
            view.close();
            reader.close();
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Waits until {@code check} holds: deliveries are asynchronous. Fails after 30 s, never asserts a duration. */
    private static void eventually(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!check.holds()) {
            if (System.nanoTime() - deadline > 0) {
                fail("never: " + what);
            }
            Thread.sleep(20);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void laterRegistrationsTombstonesAndGoodbyesReachTheViewWithoutAWholeRead(TestBroker broker) throws Exception {
        try (TestFleet fleet = twoHosts(broker); Viewed viewed = Viewed.of(broker, fleet.collective(), RegistryView.BASE_THRESHOLD)) {
            RegistryView view = viewed.view();
            assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
            assertEquals(1, view.wholeReads());

            fleet.start(DEV3, Set.of(), Map.of("country", "de"), TestFleet.sandboxAgents());
            eventually("the later node is in the view", () -> view.fleet().hosts().containsKey(DEV3));

            KnownHost forgotten = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10))
                    .forget(fleet.collective(), DEV1, "alice");
            assertNotNull(forgotten);
            eventually("the forgotten node left the view", () -> !view.fleet().hosts().containsKey(DEV1));

            fleet.stop(DEV2);
            eventually("the goodbye is in the view", () -> view.fleet().hosts().get(DEV2).stopped());

            assertEquals(1, view.wholeReads(), "one whole read, the first");
            assertEquals(Set.of(DEV2, DEV3), view.fleet().hosts().keySet());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aBrokenChannelOrConnectionOrAGapMakesTheNextReadWhole(TestBroker broker) throws Exception {
        try (TestFleet fleet = twoHosts(broker); Viewed viewed = Viewed.of(broker, fleet.collective(), RegistryView.BASE_THRESHOLD)) {
            RegistryView view = viewed.view();
            view.fleet();
            view.fleet();
            assertEquals(1, view.wholeReads());

            view.channel().abort();
            assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
            assertEquals(2, view.wholeReads(), "the channel closed");

            view.channel().getConnection().abort();
            assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
            assertEquals(3, view.wholeReads(), "the connection closed");

            view.invalidate("the client's connection recovered");
            assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
            assertEquals(4, view.wholeReads(), "told of a gap");

            // The new view follows the registry again.
            fleet.start(DEV3, Set.of(), Map.of("country", "de"), TestFleet.sandboxAgents());
            eventually("the later node is in the new view", () -> view.fleet().hosts().containsKey(DEV3));
            assertEquals(4, view.wholeReads());
        }
    }

    /**
     * RabbitMQ drops the oldest messages of a full view queue without telling anyone: a discovery that finds the queue
     * that full reads whole. Deliveries are stalled (the test holds the monitor they take) so the flood stays queued.
     */
    @org.junit.jupiter.api.Test
    void aViewQueueTheBrokerMayHaveDroppedFromReadsWhole() throws Exception {
        long threshold = 50;
        try (TestFleet fleet = twoHosts(rabbit); Viewed viewed = Viewed.of(rabbit, fleet.collective(), threshold);
             Connection connection = rabbit.connector().connect("mallory"); Channel channel = connection.createChannel()) {
            RegistryView view = viewed.view();
            view.fleet();
            assertEquals(1, view.wholeReads());
            synchronized (view.subscription()) {
                channel.confirmSelect();
                // More than the prefetch in flight plus the queue's bound: the broker drops the oldest.
                for (int i = 0; i < 2 * RegistryView.PREFETCH + threshold + 500; i++) {
                    channel.basicPublish(Topology.registryExchange(fleet.collective()), "", null, ("junk " + i).getBytes(StandardCharsets.UTF_8));
                }
                channel.waitForConfirmsOrDie(30_000);
                assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
                assertEquals(2, view.wholeReads(), "the full queue ended the view before any of it was delivered");
            }
        }
    }

    /** A view older than the refresh period reads whole again: what keeps compacting the registry for a long-lived runner. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aViewOlderThanTheRefreshPeriodReadsWholeAgain(TestBroker broker) throws Exception {
        Duration refresh = Duration.ofMillis(200);
        try (TestFleet fleet = twoHosts(broker); Viewed viewed = Viewed.of(broker, fleet.collective(), RegistryView.BASE_THRESHOLD, refresh)) {
            RegistryView view = viewed.view();
            view.fleet();
            assertEquals(1, view.wholeReads());
            Thread.sleep(2 * refresh.toMillis());
            assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
            assertEquals(2, view.wholeReads(), "the refresh period ended the view");
        }
    }

    /** Junk beyond the view's bound ends the view (and what it held) instead of piling up; discovery still works. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aFloodBeyondTheBoundEndsTheViewAndTheNextReadIsWhole(TestBroker broker) throws Exception {
        long threshold = 50;
        try (TestFleet fleet = twoHosts(broker); Viewed viewed = Viewed.of(broker, fleet.collective(), threshold);
             Connection connection = broker.connector().connect("mallory"); Channel channel = connection.createChannel()) {
            RegistryView view = viewed.view();
            assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
            channel.confirmSelect();
            for (int i = 0; i < 4 * threshold; i++) {
                channel.basicPublish(Topology.registryExchange(fleet.collective()), "", null, ("junk " + i).getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(30_000);
            eventually("the flood ended the view", () -> {
                assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet(), "discovery still works");
                return view.wholeReads() == 2;
            });
            view.fleet();
            assertEquals(2, view.wholeReads(), "the whole read after the flood started a view again");
            assertTrue(view.channel() != null && view.channel().isOpen());
        }
    }
    /**
     * A view that received nothing still retires a node once its silence passes the retirement age: the fleet a view
     * keeps between discoveries is reused only until then.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aNodeSilentPastTheRetirementAgeLeavesTheViewThoughNothingArrived(TestBroker broker) throws Exception {
        Duration retireAfter = Duration.ofHours(1);
        MovableClock clock = new MovableClock();
        try (TestFleet fleet = twoHosts(broker)) {
            RegistryReader reader = new RegistryReader(broker.connector(), Clock.systemUTC(), Duration.ofDays(7), Duration.ofSeconds(10))
                    .keepingConnection();
            RegistryView view = new RegistryView(reader, fleet.collective(), Topology.registryView(Topology.replyQueue("view-it")), clock,
                    retireAfter, Duration.ofDays(1), RegistryView.BASE_THRESHOLD);
            try {
                assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet());
                assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet(), "from the view");
                assertEquals(Set.of(DEV1, DEV2), view.fleet().hosts().keySet(), "from the view, unchanged");
                clock.offset = retireAfter.plusMinutes(10);
                assertEquals(Set.of(), view.fleet().hosts().keySet(), "both nodes silent for longer than " + retireAfter);
                assertEquals(1, view.wholeReads());
            } finally {
                view.close();
                reader.close();
            }
        }
    }

    /** The system clock plus an offset a test moves. */
    private static final class MovableClock extends Clock {
        volatile Duration offset = Duration.ZERO;

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return Clock.systemUTC().instant().plus(offset);
        }
    }
}
