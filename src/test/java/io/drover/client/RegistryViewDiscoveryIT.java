package io.drover.client;

import io.drover.filter.Filter;
import io.drover.testing.OnBothBrokers;
import io.drover.testing.TestBroker;
import io.drover.testing.TestFleet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Only a client's first discovery reads the registry whole: a node registered after it is expected by the next
 * discoveries all the same, from the client's live view of the registry.
 */
class RegistryViewDiscoveryIT extends OnBothBrokers {

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void aNodeRegisteredAfterTheFirstDiscoveryIsAwaitedWithoutAWholeRead(TestBroker broker) throws Exception {
        try (TestFleet fleet = new TestFleet(broker.connector())) {
            fleet.start("dev1.de.example.com", Set.of(), Map.of("country", "de"), TestFleet.sandboxAgents());
            try (AmqpDroverClient client = AmqpDroverClient.connect(broker.connector(), ClientOptions.defaults()
                    .withCollective(fleet.collective()).withDiscoveryTimeout(Duration.ofSeconds(2)))) {
                Discovery first = client.discover(Filter.all());
                assertEquals(Set.of("dev1.de.example.com"), first.identities());
                assertEquals(1, client.registryWholeReads());

                fleet.start("dev2.de.example.com", Set.of(), Map.of("country", "de"), TestFleet.sandboxAgents());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) {
                    Discovery later = client.discover(Filter.all());
                    if (later.identities().contains("dev2.de.example.com") && later.unknown().isEmpty()) {
                        assertEquals(Discovery.Ended.ALL_EXPECTED, later.ended(), later.toString());
                        break; // answered and expected: the registry knew it
                    }
                    if (System.nanoTime() - deadline > 0) {
                        fail("the later node was never expected: " + later);
                    }
                    Thread.sleep(20);
                }
                assertEquals(1, client.registryWholeReads(), "later discoveries used the live view");
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("brokers")
    void withTheRegistryOffNothingIsReadNorFollowed(TestBroker broker) throws Exception {
        try (TestFleet fleet = new TestFleet(broker.connector())) {
            fleet.start("dev1.de.example.com", Set.of(), Map.of("country", "de"), TestFleet.sandboxAgents());
            try (AmqpDroverClient client = AmqpDroverClient.connect(broker.connector(), ClientOptions.defaults()
                    .withCollective(fleet.collective()).withRegistry(RegistryOptions.off()))) {
                assertTrue(client.discover(Filter.all()).identities().contains("dev1.de.example.com"));
                assertEquals(0, client.registryWholeReads());
            }
        }
    }
}
