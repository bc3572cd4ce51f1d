package io.drover.client;

import io.drover.report.HostTable;

import io.drover.testing.RabbitNode;
import io.drover.testing.TcpRelay;
import io.drover.testing.TestFleet;
import io.drover.transport.BrokerConnector;
import io.drover.transport.embedded.EmbeddedBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner's broker connection in trouble during a step: the broker restarts, the runner alone is cut off, the
 * broker blocks publishers, an agent dies, a host answers after the step gave up. Each time the result must say
 * what really happened, never a false "no reply". Runs on a RabbitMQ node of its own (stopped, alarmed), and the
 * restart also on the embedded broker. Agents are in-process ({@link TestFleet}), with a slow NRPE check so
 * replies are sent while the runner is in trouble.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunnerRecoveryIT {
    private static final Set<String> HOSTS = Set.of("web1.example.com", "web2.example.com", "web3.example.com");
    private RabbitNode rabbit;

    /** One RabbitMQ node for the class, started by the first test that needs it (the Qpid test does not). */
    private RabbitNode rabbit() {
        if (rabbit == null) {
            rabbit = RabbitNode.start("recovery");
        }
        return rabbit;
    }

    @AfterAll
    void stopRabbit() {
        if (rabbit != null) {
            rabbit.close();
        }
    }

    private static Map<String, Map<String, Object>> slowCheck(long delayMs) {
        return Map.of("nrpe", Map.of("provider", "sandbox", "timeout", 120,
                "commands", Map.of("check_slow", Map.of("exit", 0, "output", "OK - slow", "delay_ms", delayMs))));
    }

    private static Call slowCheck() {
        return Call.of("nrpe", "run_command").param("command", "check_slow");
    }

    private static TestFleet fleet(BrokerConnector broker, Set<String> hosts, long delayMs) throws Exception {
        TestFleet fleet = new TestFleet(broker);
        for (String host : hosts) {
            fleet.start(host, Set.of(), Map.of(), slowCheck(delayMs));
        }
        return fleet;
    }

    private static DroverClient client(BrokerConnector broker, TestFleet fleet) throws Exception {
        return DroverClient.connect(broker, ClientOptions.defaults().withCollective(fleet.collective()));
    }

    private static CompletableFuture<CallResult> callLater(DroverClient client, Call call) {
        return CompletableFuture.supplyAsync(() -> client.call(call));
    }

    private static List<ConnectionEvent.Kind> kinds(CallResult result) {
        return result.connectionEvents().stream().map(ConnectionEvent::kind).toList();
    }

    private static String describe(CallResult result) {
        return HostTable.of(result).render();
    }

    @Test
    void repliesSentWhileTheRunnerAloneWasCutOffArriveAfterItReconnects() throws Exception {
        RabbitNode node = rabbit();
        try (TcpRelay relay = new TcpRelay(node.amqpPort());
             TestFleet fleet = fleet(node.connector(), HOSTS, 3_000);
             DroverClient client = client(BrokerConnector.of("amqp://guest:guest@127.0.0.1:" + relay.port()), fleet)) {
            CompletableFuture<CallResult> running = callLater(client, slowCheck().to(HOSTS).timeout(Duration.ofSeconds(60)));
            Thread.sleep(1_000);
            relay.cut(true);
            // The agents answer at about 3 s, into the runner's reply queue, while the runner cannot reach the broker.
            Thread.sleep(6_000);
            relay.cut(false);
            CallResult result = running.get(90, TimeUnit.SECONDS);
            assertTrue(result.allOk(), describe(result));
            assertEquals(HOSTS, result.replies().keySet());
            assertEquals(List.of(ConnectionEvent.Kind.LOST, ConnectionEvent.Kind.RECOVERED), kinds(result), describe(result));
            // Replies queued at the broker may be delivered as the consumer recovers, a moment before the recovery is
            // reported: at least one is counted after it, and every host's reply counts.
            assertTrue(result.repliesAfterRecovery() >= 1, describe(result));
            assertTrue(result.connectionSummary().startsWith("the runner lost its broker connection at "), result.connectionSummary());
            assertTrue(result.connectionSummary().matches(".*; (1 reply was|[23] replies were) received after it recovered"),
                    result.connectionSummary());
            assertTrue(result.elapsed().compareTo(Duration.ofSeconds(50)) < 0, "ended when the replies arrived, not at the timeout");
        }
    }

    /**
     * An agent whose connection the network lost while the broker still holds it: the agent reconnects at once, but its
     * exclusive queue still belongs to the old connection, so amqp-client's re-declare is refused (405); the agent's
     * self-check keeps trying and takes the queue back once the broker's heartbeat gives up on the old connection.
     */
    @Test
    void anAgentWhoseOldConnectionTheBrokerStillHoldsTakesItsQueueBackWhenTheBrokerLetsGo() throws Exception {
        RabbitNode node = rabbit();
        Set<String> host = Set.of("held.example.com");
        try (TcpRelay relay = new TcpRelay(node.amqpPort());
             TestFleet fleet = fleet(BrokerConnector.of("amqp://guest:guest@127.0.0.1:" + relay.port()), host, 0);
             DroverClient client = client(node.connector(), fleet)) {
            assertTrue(client.call(Call.of("rpcutil", "ping").to(host)).allOk());
            long before = agentConnections(node);
            relay.loseClients();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long held = before;
            while (held <= before && System.nanoTime() < deadline) {
                held = agentConnections(node);
                Thread.sleep(200);
            }
            assertTrue(held > before, "the agent reconnected while the broker still held its old connection: "
                    + node.ctl("list_connections", "name", "state"));
            CallResult ping;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            do {
                ping = client.call(Call.of("rpcutil", "ping").to(host).timeout(Duration.ofSeconds(5)));
            } while (!ping.allOk() && System.nanoTime() < deadline);
            assertTrue(ping.allOk(), "the agent serves again once the broker dropped the old connection: " + describe(ping));
        }
    }

    /** The connections of the agent of held.example.com the broker holds (NodeHost.Options.agent names them: connection_name). */
    private static long agentConnections(RabbitNode node) {
        return node.ctl("list_connections", "client_properties").lines()
                .filter(line -> line.contains("drover-agent held.example.com")).count();
    }

    @Test
    void aRabbitMqRestartMidStepLosesNoReplyAndIsNamed() throws Exception {
        RabbitNode node = rabbit();
        try (TestFleet fleet = fleet(node.connector(), HOSTS, 15_000);
             DroverClient client = client(node.connector(), fleet)) {
            CompletableFuture<CallResult> running = callLater(client, slowCheck().to(HOSTS).timeout(Duration.ofSeconds(90)));
            Thread.sleep(1_000);
            node.stopApp();
            node.startApp();
            CallResult result = running.get(120, TimeUnit.SECONDS);
            assertBrokerRestartSurvived(result);
        }
    }

    @Test
    void anEmbeddedBrokerRestartMidStepLosesNoReplyAndIsNamed() throws Exception {
        EmbeddedBroker first = EmbeddedBroker.start(EmbeddedBroker.Options.defaults());
        EmbeddedBroker second = null;
        BrokerConnector connector = BrokerConnector.of(List.of(first.amqpUri()));
        try (TestFleet fleet = fleet(connector, HOSTS, 8_000); DroverClient client = client(connector, fleet)) {
            CompletableFuture<CallResult> running = callLater(client, slowCheck().to(HOSTS).timeout(Duration.ofSeconds(90)));
            Thread.sleep(1_000);
            int port = first.port();
            first.close();
            second = EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withPort(port));
            CallResult result = running.get(120, TimeUnit.SECONDS);
            assertBrokerRestartSurvived(result);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    private static void assertBrokerRestartSurvived(CallResult result) {
        // Without a reply queue of its own naming, the agents' replies went to the name the queue had before the
        // restart, and all three hosts were "no reply within 90 s".
        assertTrue(result.allOk(), describe(result));
        assertEquals(HOSTS, result.replies().keySet());
        assertTrue(kinds(result).contains(ConnectionEvent.Kind.LOST), describe(result));
        assertEquals(ConnectionEvent.Kind.RECOVERED, kinds(result).get(kinds(result).size() - 1), describe(result));
        // Replies queued at the broker may be delivered as the consumer recovers, a moment before the recovery is
            // reported: at least one is counted after it, and every host's reply counts.
            assertTrue(result.repliesAfterRecovery() >= 1, describe(result));
        assertTrue(describe(result).contains("Broker connection: the runner lost its broker connection at "), describe(result));
        assertTrue(result.elapsed().compareTo(Duration.ofSeconds(80)) < 0, "ended when the replies arrived, not at the timeout");
    }

    @Test
    void aMemoryAlarmMidStepIsNamedInTheFailure() throws Exception {
        RabbitNode node = rabbit();
        try (TestFleet fleet = fleet(node.connector(), HOSTS, 10_000);
             DroverClient client = client(node.connector(), fleet)) {
            CompletableFuture<CallResult> running = callLater(client, slowCheck().to(HOSTS).timeout(Duration.ofSeconds(20)));
            long start = System.nanoTime();
            Thread.sleep(500);
            CallResult result;
            node.memoryAlarm(true);
            try {
                // RabbitMQ checks memory periodically: make sure the alarm is on before the agents answer (at 10 s).
                Duration alarmed = awaitBlocked(node.connector());
                assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(9)) < 0,
                        "the alarm took effect too late to test anything (" + alarmed + " after raising it)");
                result = running.get(60, TimeUnit.SECONDS);
            } finally {
                node.memoryAlarm(false);
            }
            assertFalse(result.allOk(), "the agents' replies were held back by the alarm: " + describe(result));
            assertTrue(kinds(result).contains(ConnectionEvent.Kind.BLOCKED), describe(result));
            String failures = HostTable.of(result).renderFailures();
            assertTrue(failures.contains("Broker connection: the broker blocked publishing at "), failures);
            assertTrue(failures.contains("memory"), "RabbitMQ's reason names the memory alarm:\n" + failures);
            // Once the alarm is cleared, the held-back replies arrive late, and are attributed to the call.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lateFor(client, result).size() < result.missing().size() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(result.missing().keySet(), Set.copyOf(lateFor(client, result).stream().map(LateReply::host).toList()));
        }
    }

    /** Waits until the broker blocks a publishing connection of its own; returns how long that took. */
    private static Duration awaitBlocked(BrokerConnector broker) throws Exception {
        long start = System.nanoTime();
        var connection = broker.connect("drover test alarm check");
        try {
            var channel = connection.createChannel();
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            connection.addBlockedListener(reason -> blocked.complete(null), () -> { });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!blocked.isDone() && System.nanoTime() < deadline) {
                // Only a connection that publishes is blocked.
                channel.basicPublish("", "drover-test-alarm-nowhere", null, new byte[0]);
                Thread.sleep(100);
            }
            assertTrue(blocked.isDone(), "the memory alarm never blocked a publisher");
            return Duration.ofNanos(System.nanoTime() - start);
        } finally {
            // A blocked connection would not get its close acknowledged until the alarm is cleared.
            connection.abort(1_000);
        }
    }

        private static List<LateReply> lateFor(DroverClient client, CallResult result) {
        return client.lateReplyRecords().stream().filter(r -> r.requestId().equals(result.requestId())).toList();
    }

    @Test
    void anAgentThatDiesMidStepIsReportedLongBeforeTheTimeout() throws Exception {
        RabbitNode node = rabbit();
        try (TestFleet fleet = new TestFleet(node.connector())) {
            fleet.start("web1.example.com", Set.of(), Map.of(), slowCheck(500));
            fleet.start("web2.example.com", Set.of(), Map.of(), slowCheck(500));
            fleet.start("web3.example.com", Set.of(), Map.of(), slowCheck(30_000));
            try (DroverClient client = client(node.connector(), fleet)) {
                CompletableFuture<CallResult> running = callLater(client, slowCheck().to(HOSTS).timeout(Duration.ofSeconds(60)));
                Thread.sleep(1_000);
                fleet.kill("web3.example.com");
                CallResult result = running.get(90, TimeUnit.SECONDS);
                assertEquals(Set.of("web1.example.com", "web2.example.com"), result.replies().keySet(), describe(result));
                String why = result.missing().get("web3.example.com");
                assertNotNull(why, describe(result));
                assertTrue(why.startsWith("agent disconnected during the call: its queue was gone at "), why);
                // Probes every 1.5 s, two returned in a row: known within seconds, not at the 60 s timeout.
                assertTrue(result.elapsed().compareTo(Duration.ofSeconds(30)) < 0, "reported at " + result.elapsed());
            }
        }
    }

    @Test
    void aReplyAfterTheStepGaveUpIsLoggedAndKept() throws Exception {
        RabbitNode node = rabbit();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (TestFleet fleet = fleet(node.connector(), Set.of("web1.example.com"), 2_000);
             DroverClient client = client(node.connector(), fleet)) {
            System.setErr(new PrintStream(new Tee(original, log), true, StandardCharsets.UTF_8));
            CallResult result = client.call(slowCheck().to(Set.of("web1.example.com")).timeout(Duration.ofMillis(500)));
            assertEquals(Set.of("web1.example.com"), result.missing().keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lateFor(client, result).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<LateReply> late = lateFor(client, result);
            assertEquals(1, late.size());
            assertEquals("web1.example.com", late.get(0).host());
            assertEquals("nrpe.run_command", late.get(0).action());
            assertTrue(late.get(0).describe().startsWith("answered after the step gave up: OK at "), late.get(0).describe());
            assertTrue(late.get(0).at().compareTo(Duration.ofMillis(1_500)) > 0, "the check takes 2 s: " + late.get(0).at());
            // The record is kept a moment before its log line is written (same thread, next statement): wait for both.
            java.util.function.Predicate<String> logged = text -> text.lines().anyMatch(line -> line.contains("[INFO]")
                    && line.contains("web1.example.com answered nrpe.run_command after the step gave up: OK at "));
            while (!logged.test(log.toString(StandardCharsets.UTF_8)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String output = log.toString(StandardCharsets.UTF_8);
            assertTrue(logged.test(output), output);
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void theReplyQueueIsADurableQuorumQueueNeitherExclusiveNorAutoDeleteExpiresAndGoesOnClose() throws Exception {
        RabbitNode node = rabbit();
        String caller = "recovery-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (TestFleet fleet = new TestFleet(node.connector())) {
            DroverClient client = DroverClient.connect(node.connector(), ClientOptions.defaults().withCollective(fleet.collective())
                    .withCaller(caller));
            String queues;
            try {
                queues = node.ctl("list_queues", "name", "durable", "exclusive", "auto_delete", "type", "arguments");
            } finally {
                client.close();
            }
            String line = queues.lines().filter(l -> l.startsWith("drover-reply." + caller + ".")).findFirst()
                    .orElseThrow(() -> new AssertionError("no reply queue for " + caller + ":\n" + queues));
            // Not the transient non-exclusive kind RabbitMQ deprecates: durable, classic, expiring when unused.
            assertTrue(line.matches("drover-reply\\.\\S+\\s+true\\s+false\\s+false\\s+classic\\s+.*x-expires.*600000.*"), line);
            String after = node.ctl("list_queues", "name");
            assertFalse(after.contains("drover-reply." + caller + "."), "deleted on close:\n" + after);
        }
    }

    @Test
    void agentsDropProbesSilently() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults())) {
            BrokerConnector connector = BrokerConnector.of(List.of(broker.amqpUri()));
            try (TestFleet fleet = fleet(connector, HOSTS, 5_000); DroverClient client = client(connector, fleet)) {
                System.setErr(new PrintStream(new Tee(original, log), true, StandardCharsets.UTF_8));
                // About three rounds of probes reach every agent while the check runs.
                CallResult result = client.call(slowCheck().to(HOSTS).timeout(Duration.ofSeconds(30)));
                assertTrue(result.allOk(), describe(result));
                assertEquals(0, result.duplicates(), "a probe is never answered");
                assertTrue(result.unexpected().isEmpty());
            } finally {
                System.setErr(original);
            }
        }
        // Before agents knew probes, each one was "dropped a malformed request" at WARN. Not counted: what the AMQP client's
        // and Qpid's own threads print, as other tests' teardowns in this JVM may still do for minutes (CI 2026-11-30:
        // LargeRolloutIT's 5,000 channels, each "Consumer dispatcher for channel didn't shutdown" 10 s apart).
        java.util.List<String> said = log.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("[WARN]") || line.contains("malformed"))
                .filter(line -> !line.matches(".*\\[WARN\\] (ChannelManager|ForgivingExceptionHandler|ChannelN|SystemLauncher) - .*"))
                .toList();
        assertTrue(said.isEmpty(), "agents say nothing about probes:\n" + String.join("\n", said));
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
