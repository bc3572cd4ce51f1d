package io.drover.agent;

import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSigner;
import io.drover.testing.AgentProcess;
import io.drover.testing.TestIssuer;
import io.drover.testing.FeatureRun;
import io.drover.testing.TestBroker;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;
import io.drover.transport.embedded.EmbeddedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The slim agent jar as operators run it: separate processes, real config files, a real broker. */
class AgentJarIT {
    /** Bouncy Castle only for Ed25519: not its JCA provider, ciphers, post-quantum or certificate code (Qpid's part). */
    private static final List<String> FORBIDDEN = List.of("io/cucumber/", "org/apache/qpid/", "tools/jackson/",
            "org/bouncycastle/jcajce/", "org/bouncycastle/jce/", "org/bouncycastle/pqc/", "org/bouncycastle/crypto/engines/",
            "org/bouncycastle/cert/", "org/bouncycastle/pkix/", "io/netty/", "org/junit/", "io/drover/steps/", "io/drover/sandbox/", "io/drover/runner/",
            "io/drover/cli/", "io/drover/client/", "io/drover/fleet/", "io/drover/report/", "picocli/");

    @TempDir
    Path dir;
    /** Enrols every agent; clients trust only it, as a runner with -Ddrover.issuer does. */
    private final TestIssuer issuer = TestIssuer.create("jar-issuer");

    @Test
    void theAgentJarIsSlim() throws Exception {
        try (JarFile jar = new JarFile(AgentProcess.jar().toFile())) {
            List<String> forbidden = jar.stream().map(entry -> entry.getName())
                    .filter(name -> FORBIDDEN.stream().anyMatch(name::startsWith)).limit(5).toList();
            assertEquals(List.of(), forbidden, "the agent jar must not carry the runner, the embedded broker or their dependencies");
            assertTrue(jar.getEntry("io/drover/agent/AgentMain.class") != null);
            assertTrue(jar.getEntry("com/rabbitmq/client/ConnectionFactory.class") != null);
            assertTrue(jar.getEntry("com/google/re2j/Pattern.class") != null, "filters need RE2/J on the agent too");
            assertTrue(jar.getEntry("org/bouncycastle/math/ec/rfc8032/Ed25519.class") != null, "signatures need Ed25519");
            assertEquals("io.drover.agent.AgentMain", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }
        assertTrue(Files.size(AgentProcess.jar()) < 8 * 1024 * 1024, "size " + Files.size(AgentProcess.jar()));
    }

    /** The runner's key; agents trust its public half. */
    private RequestSigner runnerKey() throws Exception {
        Path keys = dir.resolve("keys");
        if (!Files.exists(keys.resolve("runner.key"))) {
            KeyFiles.create(keys, "runner");
            Files.createDirectories(dir.resolve("callers"));
            Files.copy(keys.resolve("runner.pub"), dir.resolve("callers/runner.pub"));
        }
        return RequestSigner.load(keys.resolve("runner.key"));
    }

    private Path config(String collective, String broker, String identity, String country) throws Exception {
        runnerKey();
        Path facts = Files.writeString(dir.resolve(identity + ".facts.json"), "{\"country\": \"" + country + "\", \"os\": {\"family\": \"RedHat\"}}");
        Path classes = Files.writeString(dir.resolve(identity + ".classes.txt"), "# written by puppet\nroles::dev_server\nbase\n");
        issuer.enrolFiles(identity, dir.resolve(identity + ".key"), dir.resolve(identity + ".crt"));
        return Files.writeString(dir.resolve(identity + ".yaml"), String.join("\n",
                "identity: " + identity,
                "collectives: [" + collective + "]",
                "broker: " + broker,
                "facts: " + facts.getFileName(),
                "classes: " + classes.getFileName(),
                "threads: 4",
                "security:",
                "  trusted_callers: callers",
                "  audit_log: " + identity + ".audit.log",
                "  node_key: " + identity + ".key",
                "  node_certificate: " + identity + ".crt",
                "agents:",
                "  firewall: {provider: sandbox}",
                "  package:",
                "    provider: sandbox",
                "    installed: {mywebapp: 4.2.6-2.el5}",
                "    available: {mywebapp: [4.2.6-2.el5, 4.2.6-3.el5]}",
                "  service: {provider: sandbox, services: {httpd: running}}",
                ""));
    }

    @Test
    void theSeedDeployRunsAgainstAgentProcessesAndConvergesWhenRerun() throws Exception {
        boolean rabbit = System.getenv(TestBroker.ENV) != null || "true".equals(System.getenv("CI"));
        try (TestBroker broker = rabbit ? TestBroker.rabbitMq() : TestBroker.embedded()) {
            String uri = broker.connector().uris().get(0).toString();
            String collective = "jar-" + UUID.randomUUID().toString().substring(0, 8);
            List<String> identities = List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com", "dev1.fr.example.com");
            List<AgentProcess> agents = new ArrayList<>();
            try {
                for (String identity : identities) {
                    agents.add(AgentProcess.start(dir.resolve(identity + ".log"), "--config",
                            config(collective, uri, identity, identity.contains(".de.") ? "de" : "fr").toString()));
                }
                for (AgentProcess agent : agents) {
                    agent.awaitReady(Duration.ofSeconds(30));
                }
                try (DroverClient client = DroverClient.connect(broker.connector(),
                        ClientOptions.defaults().withCollective(collective).withSigner(runnerKey())
                        .withReplyVerifier(issuer.verifier()))) {
                    DroverSession session = DroverSession.of(RunnerConfig.fromEnvironment(), client, null);
                    DroverSession previous = DroverSession.install(session);
                    try {
                        for (String run : List.of("first", "rerun")) {
                            FeatureRun outcome = FeatureRun.of(Path.of("features/deploy.feature"), dir, run);
                            assertEquals(1, outcome.passedScenarios(), () -> run + ": " + outcome.failureMessage().orElse(""));
                        }
                        // One agent killed before the run: the seed, unchanged, fails at discovery naming it.
                        agents.get(2).kill();
                        FeatureRun killed = FeatureRun.of(Path.of("features/deploy.feature"), dir, "killed-agent");
                        assertEquals(1, killed.failedScenarios());
                        String message = killed.failureMessage().orElseThrow();
                        assertTrue(message.contains("| dev3.de.example.com | matched when last seen ") && message.contains("did not answer"),
                                message);
                        assertEquals(6, killed.stepsWithStatus("skipped").size(), killed.stepStatuses().toString());
                    } finally {
                        DroverSession.install(previous);
                    }
                    List<String> alive = identities.stream().filter(host -> !host.equals("dev3.de.example.com")).toList();
                    CallResult status = client.call(Call.of("package", "status").param("package", "mywebapp")
                            .to(new TreeSet<>(alive)));
                    assertTrue(status.allOk(), status.toString());
                    status.replies().forEach((host, reply) -> assertEquals(host.contains(".de.") ? "4.2.6-3.el5" : "4.2.6-2.el5",
                            reply.get("version"), host));
                }
                String log = agents.get(0).output();
                assertTrue(log.contains("dev1.de.example.com firewall.block {address=192.168.1.1} id="), log);
                assertTrue(log.contains("caller=runner -> OK changed=false"), "the rerun's block changed nothing:\n" + log);
                List<String> audit = Files.readAllLines(dir.resolve("dev1.de.example.com.audit.log"));
                assertTrue(audit.stream().anyMatch(line -> line.contains("\"action\":\"block\"") && line.contains("\"verdict\":\"ran\"")),
                        String.join("\n", audit));
            } finally {
                for (AgentProcess agent : agents) {
                    agent.close();
                }
                try (var connection = broker.connector().connect("cleanup"); var channel = connection.createChannel()) {
                    Topology.deleteExchanges(channel, collective);
                    Topology.deleteRegistry(channel, collective);
                }
            }
        }
    }

    /**
     * Node queues are exclusive: the broker itself refuses a second agent process with the same identity (which says so
     * and keeps retrying), the second takes over once the first is killed, and an agent killed and restarted at once
     * serves again: the broker drops a killed agent's connection, and with it the queue, as the kernel closes its
     * socket (a restart that beats the broker to it is refused once and retries a second later).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded Qpid", "RabbitMQ"})
    void aTwinIsRefusedByTheBrokerAndAKilledAgentIsReplacedAtOnce(String brokerName) throws Exception {
        try (TestBroker broker = brokerName.equals("RabbitMQ") ? TestBroker.rabbitMq() : TestBroker.embedded()) {
            String uri = broker.connector().uris().get(0).toString();
            String collective = "twin-" + UUID.randomUUID().toString().substring(0, 8);
            String identity = "twin.example.com";
            Path config = config(collective, uri, identity, "de");
            List<AgentProcess> agents = new ArrayList<>();
            try (DroverClient client = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective)
                    .withSigner(runnerKey()).withReplyVerifier(issuer.verifier()))) {
                AgentProcess first = start(agents, "twin-1", config).awaitReady(Duration.ofSeconds(30));
                AgentProcess second = start(agents, "twin-2", config);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!second.output().contains("identities must be unique") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                String refused = second.output();
                assertTrue(refused.contains("queue drover." + collective + ".node." + identity + " is held by another connection "
                        + "(another agent with this identity?"), refused);
                assertTrue(refused.contains("stop the other agent or give this one another identity"), refused);
                assertTrue(second.isAlive() && !refused.contains(" ready in "), "the twin keeps retrying, unserved:\n" + refused);
                assertPinged(client, identity);

                first.kill();
                second.awaitReady(Duration.ofSeconds(90)); // its back-off doubles from 1 s
                assertPinged(client, identity);

                second.kill();
                start(agents, "twin-3", config).awaitReady(Duration.ofSeconds(60));
                assertPinged(client, identity);
            } finally {
                agents.forEach(AgentProcess::close);
            }
        }
    }

    private AgentProcess start(List<AgentProcess> agents, String name, Path config) throws Exception {
        AgentProcess agent = AgentProcess.start(dir.resolve(name + ".log"), "--config", config.toString());
        agents.add(agent);
        return agent;
    }

    private static void assertPinged(DroverClient client, String identity) {
        CallResult ping = client.call(Call.of("rpcutil", "ping").to(Set.of(identity)).timeout(Duration.ofSeconds(10)));
        assertTrue(ping.allOk(), ping.toString());
    }

    @Test
    void theAgentReconnectsWhenTheBrokerComesBack() throws Exception {
        EmbeddedBroker first = EmbeddedBroker.start(EmbeddedBroker.Options.defaults());
        int port = first.port();
        EmbeddedBroker second = null;
        Path config = config("drover", first.amqpUri().toString(), "phoenix.example.com", "de");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("phoenix.log"), "--config", config.toString())) {
            agent.awaitReady(Duration.ofSeconds(30));
            BrokerConnector connector = BrokerConnector.of(List.of(first.amqpUri()));
            try (DroverClient client = DroverClient.connect(connector, ClientOptions.defaults().withSigner(runnerKey())
                    .withReplyVerifier(issuer.verifier()))) {
                assertEquals(Set.of("phoenix.example.com"), client.discover(Filter.all()).identities());
                first.close();
                second = EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withPort(port));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                // A call made while the client itself is still reconnecting waits for the connection.
                CallResult ping;
                do {
                    ping = client.call(Call.of("rpcutil", "ping").to(Set.of("phoenix.example.com")).timeout(Duration.ofSeconds(5)));
                } while (!ping.allOk() && System.nanoTime() < deadline);
                assertTrue(ping.allOk(), "the agent answers again after the broker restart:\n" + agent.output());
                assertTrue(agent.isAlive());
                assertTrue(agent.output().contains("Reconnected"), agent.output());
                assertEquals(Set.of("phoenix.example.com"), client.discover(Filter.all()).identities());
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aConfigurationMistakeStopsTheAgentWithTheSettingNamed() throws Exception {
        Path config = Files.writeString(dir.resolve("typo.yaml"), "identity: web1\nbroker: amqp://127.0.0.1:1\ncolectives: [drover]\n");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("typo.log"), "--config", config.toString())) {
            assertEquals(2, agent.awaitExit(Duration.ofSeconds(30)));
            assertTrue(agent.output().contains("colectives"), agent.output());
        }
        Path unenrolled = Files.writeString(dir.resolve("unenrolled.yaml"),
                "identity: web1\nbroker: amqp://127.0.0.1:1\nsecurity: {allow_unsigned: true}\n");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("unenrolled.log"), "--config", unenrolled.toString())) {
            assertEquals(2, agent.awaitExit(Duration.ofSeconds(30)), "a node without key and certificate does not start");
            assertTrue(agent.output().contains("node.key does not exist; every node signs its replies"), agent.output());
            assertTrue(agent.output().contains("drover keys issue --issuer ISSUER.key --name web1"), agent.output());
        }
        Path good = config("drover", "amqp://127.0.0.1:1", "checked.example.com", "de");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("check.log"), "--config", good.toString(), "--check")) {
            assertEquals(0, agent.awaitExit(Duration.ofSeconds(30)));
            assertTrue(agent.output().contains("is valid"), agent.output());
        }
    }
}
