package io.drover.agent;

import io.drover.protocol.Reply;

import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.Discovery;
import io.drover.client.DiscoveryOptions;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSigner;
import io.drover.testing.AgentProcess;
import io.drover.testing.RealTools;
import io.drover.testing.TestBroker;
import io.drover.transport.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Agent processes whose wall clocks really are off (libfaketime), ahead and behind: within the default clock
 * skew of 30 s they answer discovery and run actions; beyond it, discovery names them with a refusal that says
 * how far off their clock is.
 */
class ClockSkewIT {
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    @TempDir
    Path dir;

    private Path config(String collective, String broker, String identity) throws Exception {
        return Files.writeString(dir.resolve(identity + ".yaml"), String.join("\n",
                "identity: " + identity,
                "collectives: [" + collective + "]",
                "broker: " + broker,
                "builtin_facts: false",
                "threads: 2",
                "security:",
                "  trusted_callers: callers",
                "  unsigned_replies: true",
                "agents:",
                "  firewall: {provider: sandbox}",
                ""));
    }

    @Test
    void agentsWithinTheSkewEitherWayAnswerAndThoseBeyondItAreNamedWithTheReason() throws Exception {
        RealTools.require("faketime", "faketime");
        KeyFiles.create(dir.resolve("keys"), "runner");
        Files.createDirectories(dir.resolve("callers"));
        Files.copy(dir.resolve("keys/runner.pub"), dir.resolve("callers/runner.pub"));
        RequestSigner runner = RequestSigner.load(dir.resolve("keys/runner.key"));

        // Offsets of each agent's clock from the runner's, in seconds.
        Map<String, Integer> offsets = new LinkedHashMap<>();
        offsets.put("ahead25.example.com", 25);
        offsets.put("behind25.example.com", -25);
        offsets.put("ahead60.example.com", 60);
        offsets.put("behind60.example.com", -60);

        boolean rabbit = System.getenv(TestBroker.ENV) != null || "true".equals(System.getenv("CI"));
        try (TestBroker broker = rabbit ? TestBroker.rabbitMq() : TestBroker.embedded()) {
            String uri = broker.connector().uris().get(0).toString();
            String collective = "skew-" + UUID.randomUUID().toString().substring(0, 8);
            List<AgentProcess> agents = new ArrayList<>();
            try {
                for (Map.Entry<String, Integer> agent : offsets.entrySet()) {
                    String offset = String.format("%+ds", agent.getValue());
                    agents.add(AgentProcess.startWithClockOffset(dir.resolve(agent.getKey() + ".log"), offset,
                            "--config", config(collective, uri, agent.getKey()).toString()));
                }
                // Every agent is looked at in turn until all are ready, so each ready line is checked within moments
                // of being written (awaiting them one by one checked the last ones long after, on a loaded machine).
                long aheadReady = 0;
                List<String> identities = new ArrayList<>(offsets.keySet());
                java.util.Set<String> ready = new java.util.HashSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
                while (ready.size() < identities.size()) {
                    for (int i = 0; i < identities.size(); i++) {
                        String identity = identities.get(i);
                        if (!ready.contains(identity) && agents.get(i).isReady()) {
                            assertClockOffset(agents.get(i), identity, offsets.get(identity));
                            ready.add(identity);
                            if (identity.equals("ahead25.example.com")) {
                                aheadReady = System.nanoTime();
                            }
                        }
                    }
                    assertTrue(System.nanoTime() < deadline, "agents not ready after 300 s: " + ready);
                    Thread.sleep(50);
                }
                try (DroverClient client = DroverClient.connect(broker.connector(),
                        ClientOptions.defaults().withCollective(collective).withSigner(runner))) {
                    // A 15 s cap (and so a 15 s TTL) so a loaded machine does not cut discovery short (it ends once all four
                    // answered): the agents accept [created - 30 s, created + 45 s]: 25 s is well inside, 60 s well outside.
                    Discovery discovery = client.discover(Filter.all(), DiscoveryOptions.defaults().expecting(4)
                            .withTimeout(Duration.ofSeconds(15)));
                    assertEquals(Set.of("ahead25.example.com", "behind25.example.com"), discovery.identities(),
                            () -> discovery + "\n" + logs(agents));
                    assertEquals(Set.of("ahead60.example.com", "behind60.example.com"), discovery.refused().keySet(),
                            () -> discovery + "\n" + logs(agents));
                    String ahead = discovery.refused().get("ahead60.example.com");
                    assertTrue(ahead.contains("refused: request expired") && ahead.contains("ahead of the caller's")
                            && ahead.contains("synchronise the clocks"), ahead);
                    String behind = discovery.refused().get("behind60.example.com");
                    assertTrue(behind.contains("refused: request created") && behind.contains("behind the caller's")
                            && behind.contains("synchronise the clocks"), behind);

                    Call blockCall = Call.of("firewall", "block").param("address", "192.0.2.44")
                            .to(new TreeSet<>(discovery.identities())).timeout(Duration.ofSeconds(30));
                    CallResult block = client.call(blockCall);
                    // A node whose clock is 25 s ahead cannot tell, in its first 25 s of serving, a request just sent from
                    // one sent before it (re)started: it refuses changes then, naming why (docs/security.md), and runs
                    // them after. The node behind runs it at once.
                    assertTrue(block.replies().get("behind25.example.com").isOk(), block.toString());
                    Reply ahead25 = block.replies().get("ahead25.example.com");
                    if (!ahead25.isOk()) {
                        assertTrue(ahead25.message().contains("before this node began serving"), ahead25.message());
                        long wait = aheadReady + Duration.ofSeconds(27).toNanos() - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000);
                        }
                        block = client.call(blockCall);
                    }
                    assertTrue(block.allOk(), block.toString());
                }
            } finally {
                for (AgentProcess agent : agents) {
                    agent.close();
                }
                try (var connection = broker.connector().connect("cleanup"); var channel = connection.createChannel()) {
                    Topology.deleteExchanges(channel, collective);
                } catch (IOException e) {
                    // No agent got as far as declaring them: nothing to clean, and the test's own failure says why.
                }
            }
        }
    }

    private static String logs(List<AgentProcess> agents) {
        StringBuilder text = new StringBuilder();
        for (AgentProcess agent : agents) {
            try {
                text.append(agent.output()).append('\n');
            } catch (IOException e) {
                text.append(e).append('\n');
            }
        }
        return text.toString();
    }

    /** Proves the agent's JVM sees the shifted clock: its "ready" log line is stamped with the offset. */
    private static void assertClockOffset(AgentProcess agent, String identity, int offsetSeconds) throws Exception {
        long seenAt = System.currentTimeMillis();
        String ready = agent.output().lines().filter(line -> line.contains(" ready in ")).findFirst().orElseThrow();
        long stamped = OffsetDateTime.parse(ready.substring(0, ready.indexOf(' ')), LOG_TIME).toInstant().toEpochMilli();
        long shift = stamped - seenAt;
        // Stamped before we looked, so the shift is at most the offset, and short of it by how long we took to look.
        assertTrue(shift <= offsetSeconds * 1000L + 1000 && shift >= offsetSeconds * 1000L - 10_000,
                identity + " should log times " + offsetSeconds + " s off, but its ready line is " + shift + " ms off: " + ready);
    }
}
