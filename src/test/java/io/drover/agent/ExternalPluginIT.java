package io.drover.agent;

import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSigner;
import io.drover.testing.AgentProcess;
import io.drover.testing.TestBroker;
import io.drover.testing.TestIssuer;
import io.drover.transport.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plugin written outside Drover: compiled here against Drover's classes, jarred with its service file, put
 * beside the slim agent jar, and called through the broker. Nothing in Drover names it.
 */
class ExternalPluginIT {
    /** A third-party plugin: its catalog declaration and its handler, in its own package. */
    private static final String GREETER = """
            package com.example.greeter;

            import io.drover.agent.plugin.Action;
            import io.drover.agent.plugin.ActionResult;
            import io.drover.agent.plugin.Actions;
            import io.drover.agent.plugin.AgentPlugin;
            import io.drover.agent.plugin.NodeContext;
            import io.drover.agent.plugin.PluginFactory;
            import io.drover.agent.plugin.Settings;
            import io.drover.catalog.ActionSpec;
            import io.drover.catalog.AgentCatalog;
            import io.drover.catalog.InputSpec;
            import io.drover.catalog.OutputType;

            import java.util.List;
            import java.util.Map;

            public final class GreeterPlugin implements AgentPlugin {
                public static final AgentCatalog CATALOG = AgentCatalog.of("greeter", "Greets people",
                        ActionSpec.named("greet", "Say hello to someone")
                                .input(InputSpec.string("name").required().maxLength(32).matching("[A-Za-z]+", "Ada")
                                        .describedAs("who to greet"))
                                .output("greeting", OutputType.STRING, "the greeting").build());

                private final List<Action> actions;

                GreeterPlugin(String salutation) {
                    actions = Actions.of(CATALOG)
                            .on("greet", inputs -> ActionResult.of("greeted " + inputs.string("name"),
                                    Map.of("greeting", salutation + ", " + inputs.string("name") + "!")))
                            .bind();
                }

                @Override
                public AgentCatalog catalog() {
                    return CATALOG;
                }

                @Override
                public List<Action> actions() {
                    return actions;
                }

                @Override
                public boolean serialized() {
                    return false;
                }

                public static final class Factory implements PluginFactory {
                    @Override
                    public String name() {
                        return "greeter";
                    }

                    @Override
                    public AgentPlugin create(Settings settings, NodeContext node) {
                        return new GreeterPlugin(settings.string("salutation", "Hello"));
                    }
                }
            }
            """;

    @TempDir
    Path dir;
    private final TestIssuer issuer = TestIssuer.create("plugin-issuer");

    /** Compiles the plugin against Drover's classes and jars it with its META-INF/services entry. */
    private Path buildPluginJar() throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src/com/example/greeter"));
        Path source = Files.writeString(sources.resolve("GreeterPlugin.java"), GREETER);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int exit = compiler.run(null, errors, errors, "--release", "17", "-cp", Path.of("target/classes").toAbsolutePath().toString(),
                "-d", classes.toString(), source.toString());
        assertEquals(0, exit, errors.toString(StandardCharsets.UTF_8));
        Path jar = Files.createDirectories(dir.resolve("lib")).resolve("greeter-plugin.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("META-INF/services/io.drover.agent.plugin.PluginFactory"));
            out.write("com.example.greeter.GreeterPlugin$Factory\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            try (Stream<Path> compiled = Files.walk(classes)) {
                for (Path each : compiled.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(each).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(each));
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    private RequestSigner runnerKey() throws Exception {
        Path keys = dir.resolve("keys");
        if (!Files.exists(keys.resolve("runner.key"))) {
            KeyFiles.create(keys, "runner");
            Files.createDirectories(dir.resolve("callers"));
            Files.copy(keys.resolve("runner.pub"), dir.resolve("callers/runner.pub"));
        }
        return RequestSigner.load(keys.resolve("runner.key"));
    }

    private Path config(String collective, String broker, String identity) throws Exception {
        runnerKey();
        issuer.enrolFiles(identity, dir.resolve(identity + ".key"), dir.resolve(identity + ".crt"));
        return Files.writeString(dir.resolve(identity + ".yaml"), String.join("\n",
                "identity: " + identity,
                "collectives: [" + collective + "]",
                "broker: " + broker,
                "security:",
                "  trusted_callers: callers",
                "  audit_log: " + identity + ".audit.log",
                "  node_key: " + identity + ".key",
                "  node_certificate: " + identity + ".crt",
                "agents:",
                "  greeter: {salutation: Howdy}",
                ""));
    }

    @Test
    void aPluginJarBesideTheAgentJarIsLoadedAndCalledThroughTheBroker() throws Exception {
        Path pluginJar = buildPluginJar();
        Path agentJar = Files.copy(AgentProcess.jar(), dir.resolve("lib/drover-agent.jar"));
        String identity = "greet1.example.com";
        boolean rabbit = System.getenv(TestBroker.ENV) != null || "true".equals(System.getenv("CI"));
        try (TestBroker broker = rabbit ? TestBroker.rabbitMq() : TestBroker.embedded()) {
            String collective = "plugin-" + UUID.randomUUID().toString().substring(0, 8);
            Path config = config(collective, broker.connector().uris().get(0).toString(), identity);
            try (AgentProcess withoutPlugin = AgentProcess.start(dir.resolve("without.log"), "--config", config.toString())) {
                assertEquals(2, withoutPlugin.awaitExit(Duration.ofSeconds(30)), withoutPlugin.output());
                assertTrue(withoutPlugin.output().contains("Unknown agent plugin 'greeter'"), withoutPlugin.output());
            }
            try (AgentProcess agent = AgentProcess.startWithClassPath(dir.resolve("agent.log"), List.of(agentJar, pluginJar),
                    "--config", config.toString())) {
                agent.awaitReady(Duration.ofSeconds(30));
                try (DroverClient client = DroverClient.connect(broker.connector(), ClientOptions.defaults()
                        .withCollective(collective).withSigner(runnerKey()).withReplyVerifier(issuer.verifier()))) {
                    assertEquals(Set.of(identity), client.discover(Filter.ofAgent("greeter")).identities());

                    CallResult greet = client.call(Call.of("greeter", "greet").param("name", "Ada").to(Set.of(identity)));
                    Reply reply = greet.replies().get(identity);
                    assertEquals(Status.OK, reply.status(), agent.output());
                    assertEquals("Howdy, Ada!", reply.get("greeting"));

                    // The runner has no catalog for this agent, so it sends as given; the node checks against the plugin's.
                    Reply refused = client.call(Call.of("greeter", "greet").param("name", "Ada; reboot").to(Set.of(identity)))
                            .replies().get(identity);
                    assertEquals(Status.INVALID_DATA, refused.status(), refused.message());
                    assertEquals("Input 'name' of greeter.greet 'Ada; reboot' is not valid; expected something like Ada "
                            + "(pattern [A-Za-z]+)", refused.message());

                    Reply inventory = client.call(Call.of("rpcutil", "inventory").to(Set.of(identity))).replies().get(identity);
                    assertTrue(String.valueOf(inventory.get("agents")).contains("name=greeter"), String.valueOf(inventory.get("agents")));
                    assertEquals(Map.of("name", "greeter", "provider", "", "actions", List.of("greet")),
                            ((List<?>) inventory.get("agents")).stream().filter(a -> String.valueOf(a).contains("greeter"))
                                    .findFirst().orElseThrow());
                } finally {
                    try (var connection = broker.connector().connect("cleanup"); var channel = connection.createChannel()) {
                        Topology.deleteExchanges(channel, collective);
                        Topology.deleteRegistry(channel, collective);
                    }
                }
            }
        }
    }
}
