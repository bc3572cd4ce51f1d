package io.drover.runner;

import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.agent.NodeSpec;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;
import io.drover.testing.AgentProcess;
import io.drover.testing.TestIssuer;
import io.drover.testing.FeatureRun;
import io.drover.transport.BrokerConnector;
import io.drover.transport.embedded.EmbeddedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A broker password never shows: not in the runner's logs, not in Cucumber's reports, not in an agent's log. */
class SecretsIT {
    private static final String SECRET = "Sup3r-S3cret-42";

    @TempDir
    Path dir;

    @Test
    void theBrokerPasswordAppearsInNoLogAndNoReport() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withCredentials("drover", SECRET))) {
            String uri = "amqp://drover:" + SECRET + "@127.0.0.1:" + broker.port();
            Path keys = Files.createDirectory(dir.resolve("keys"));
            KeyFiles.create(keys, "alice");
            FleetSpec spec = FleetSpec.load(Path.of("sandbox/fleet.yaml"));
            TestIssuer issuer = TestIssuer.create("secrets-issuer");
            Path issuerKey = issuer.writePublic(dir.resolve("issuer"));
            RequestSecurity security = new RequestSecurity(new RequestVerifier(TrustedKeys.load(keys)), null, null,
                    issuer.signer(spec.nodes().stream().map(NodeSpec::identity).toArray(String[]::new)));
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PrintStream originalOut = System.out;
            PrintStream originalErr = System.err;
            Path reports = dir.resolve("reports");
            try (EmulatedFleet fleet = EmulatedFleet.start(spec, BrokerConnector.of(uri),
                    "secrets fleet", security)) {
                PrintStream tee = new PrintStream(captured, true);
                System.setOut(tee);
                System.setErr(tee);
                RunnerConfig config = RunnerConfig.read(Map.of(Constants.BROKER_PROPERTY_NAME, uri,
                        Constants.KEY_PROPERTY_NAME, keys.resolve("alice.key").toString(),
                        Constants.ISSUER_PROPERTY_NAME, issuerKey.toString())::get, name -> null);
                try (DroverSession session = DroverSession.open(config)) {
                    DroverSession previous = DroverSession.install(session);
                    try {
                        FeatureRun run = FeatureRun.of(Path.of("features/deploy.feature"), reports, "secrets");
                        assertEquals(1, run.passedScenarios(), () -> run.failureMessage().orElse(""));
                    } finally {
                        DroverSession.install(previous);
                    }
                }
                String wrong = "Wr0ng-Pa55w0rd";
                RunnerConfig bad = RunnerConfig.read(Map.of(Constants.BROKER_PROPERTY_NAME,
                        "amqp://drover:" + wrong + "@127.0.0.1:" + broker.port(), Constants.ISSUER_PROPERTY_NAME, issuerKey.toString())::get,
                        name -> null);
                // A refused login is named as such, not as an unreachable broker.
                io.drover.error.AuthenticationException e = assertThrows(io.drover.error.AuthenticationException.class,
                        () -> DroverSession.open(bad));
                for (Throwable t = e; t != null; t = t.getCause()) {
                    assertFalse(String.valueOf(t.getMessage()).contains(wrong), "exception message shows the password: " + t);
                }
            } finally {
                System.setOut(originalOut);
                System.setErr(originalErr);
            }
            String output = captured.toString();
            assertTrue(output.contains("amqp://drover:***@127.0.0.1:" + broker.port()), "the broker is named, masked:\n" + output);
            assertFalse(output.contains(SECRET), "the password leaked into the output");
            try (Stream<Path> files = Files.list(reports)) {
                List<Path> all = files.toList();
                assertEquals(3, all.size(), "json, html and junit reports: " + all);
                for (Path report : all) {
                    assertFalse(Files.readString(report).contains(SECRET), "the password leaked into " + report);
                }
            }
            originalOut.println("checked " + output.length() + " characters of output and the reports for the password");
        }
    }

    @Test
    void anAgentNeverLogsItsBrokerPassword() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withCredentials("drover", SECRET))) {
            Path password = dir.resolve("broker.password");
            Files.createFile(password, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(password, SECRET + "\n");
            Path fromFile = Files.writeString(dir.resolve("from-file.yaml"), String.join("\n",
                    "identity: vault1.example.com",
                    "broker:",
                    "  uris: [amqp://127.0.0.1:" + broker.port() + "]",
                    "  username: drover",
                    "  password_file: broker.password",
                    "security: {allow_unsigned: true, unsigned_replies: true}",
                    "builtin_facts: false", ""));
            Path inUri = Files.writeString(dir.resolve("in-uri.yaml"), String.join("\n",
                    "identity: vault2.example.com",
                    "broker: amqp://drover:" + SECRET + "@127.0.0.1:" + broker.port(),
                    "security: {allow_unsigned: true, unsigned_replies: true}",
                    "builtin_facts: false", ""));
            for (Path config : List.of(fromFile, inUri)) {
                try (AgentProcess agent = AgentProcess.start(dir.resolve(config.getFileName() + ".log"), "--config", config.toString())) {
                    agent.awaitReady(Duration.ofSeconds(30));
                    assertFalse(agent.output().contains(SECRET), agent.output());
                    assertTrue(agent.output().contains("127.0.0.1:" + broker.port()), agent.output());
                }
            }
        }
    }
}
