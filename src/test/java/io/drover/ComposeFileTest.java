package io.drover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drover.agent.AgentConfig;
import io.drover.agent.NodeSpec;
import io.drover.filter.Filter;
import io.drover.filter.NodeView;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-compose.yml, checked without Docker (CI has no engine): a RabbitMQ with the management plugin and a
 * healthcheck, and agent hosts built from agent/Dockerfile that can change their firewall, wait for a healthy
 * broker, and mount agent configurations that load, reach that broker with its credentials, and make the seed
 * deploy's filter pick the German hosts only.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String DOCKERFILE = "agent/Dockerfile";

    private static JsonNode services;

    @BeforeAll
    static void parse() throws IOException {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.path("services");
        assertTrue(services.isObject() && services.size() > 0, "docker-compose.yml has services");
    }

    private static JsonNode broker() {
        JsonNode rabbit = services.path("rabbitmq");
        assertTrue(rabbit.isObject(), "a service named rabbitmq");
        return rabbit;
    }

    /** The services built from agent/Dockerfile, by name. */
    private static Map<String, JsonNode> agents() {
        Map<String, JsonNode> agents = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : services.properties()) {
            if (DOCKERFILE.equals(entry.getValue().path("build").path("dockerfile").asText())) {
                agents.put(entry.getKey(), entry.getValue());
            }
        }
        return agents;
    }

    @Test
    void theBrokerIsRabbitMqWithTheManagementPluginPortsAndAHealthcheck() {
        JsonNode rabbit = broker();
        String image = rabbit.path("image").asText();
        assertTrue(image.matches("rabbitmq:[0-9.]+-management(-alpine)?"), "a pinned RabbitMQ image with the management plugin: " + image);
        Set<String> published = new HashSet<>();
        rabbit.path("ports").forEach(port -> {
            String[] parts = port.asText().split(":");
            published.add(parts[parts.length - 1]);
        });
        assertEquals(Set.of("5672", "15672"), published, "AMQP for the runner and the management UI");
        JsonNode test = rabbit.path("healthcheck").path("test");
        assertEquals("CMD", test.path(0).asText(), "an exec-form healthcheck: " + test);
        assertEquals("rabbitmq-diagnostics", test.path(1).asText(), test.toString());
        assertFalse(rabbit.path("healthcheck").path("interval").asText().isEmpty(), "a healthcheck interval");
        assertFalse(rabbit.path("environment").path("RABBITMQ_DEFAULT_USER").asText("guest").equals("guest"),
                "RabbitMQ's guest account works from localhost only, so the agents need another user");
    }

    @Test
    void threeAgentHostsBuiltFromTheAgentDockerfile() throws IOException {
        Map<String, JsonNode> agents = agents();
        assertEquals(3, agents.size(), "agent hosts: " + agents.keySet());
        assertEquals(services.size() - 1, agents.size(), "every service but the broker is an agent host");
        String dockerfile = Files.readString(ROOT.resolve(DOCKERFILE));
        Set<String> stages = new HashSet<>();
        Matcher from = Pattern.compile("(?im)^FROM\\s+\\S+\\s+AS\\s+(\\S+)\\s*$").matcher(dockerfile);
        while (from.find()) {
            stages.add(from.group(1));
        }
        Set<String> hostnames = new HashSet<>();
        for (Map.Entry<String, JsonNode> agent : agents.entrySet()) {
            JsonNode build = agent.getValue().path("build");
            assertEquals(".", build.path("context").asText(), agent.getKey() + ": the context holds target/*.deb");
            assertTrue(stages.contains(build.path("target").asText()), agent.getKey() + ": target stage " + build.path("target")
                    + " is one of " + stages);
            assertTrue(hostnames.add(agent.getValue().path("hostname").asText()), agent.getKey() + ": a host name of its own");
        }
        assertTrue(dockerfile.contains("COPY target/drover-agent_*_all.deb"), "the image installs the package the build makes");
        assertTrue(Files.readString(ROOT.resolve(".dockerignore")).lines().anyMatch(line -> line.equals("!target/drover-agent_*_all.deb")),
                ".dockerignore lets the package into the build context");
    }

    @Test
    void agentHostsMayChangeTheirFirewallAndWaitForAHealthyBroker() {
        agents().forEach((name, agent) -> {
            List<String> caps = new ArrayList<>();
            agent.path("cap_add").forEach(cap -> caps.add(cap.asText()));
            assertTrue(caps.contains("NET_ADMIN"), name + ": cap_add NET_ADMIN for iptables, got " + caps);
            assertEquals("service_healthy", agent.path("depends_on").path("rabbitmq").path("condition").asText(),
                    name + ": starts once the broker's healthcheck passes");
        });
    }

    @Test
    void everyAgentConfigurationItMountsLoadsAndReachesTheBroker(@TempDir Path containers) throws IOException {
        JsonNode rabbitEnv = broker().path("environment");
        for (Map.Entry<String, JsonNode> agent : agents().entrySet()) {
            AgentConfig config = load(agent.getKey(), agent.getValue(), containers.resolve(agent.getKey()));
            URI uri = config.brokers().get(0);
            assertTrue(services.has(uri.getHost()), agent.getKey() + ": broker host " + uri.getHost() + " is a service");
            assertEquals(5672, uri.getPort());
            assertEquals(rabbitEnv.path("RABBITMQ_DEFAULT_USER").asText(), config.broker().username(), agent.getKey());
            assertEquals(rabbitEnv.path("RABBITMQ_DEFAULT_PASS").asText(),
                    agent.getValue().path("environment").path("DROVER_BROKER_PASSWORD").asText(), agent.getKey() + ": the broker's password");
            assertTrue(Files.isDirectory(containers.resolve(agent.getKey()).resolve("etc/drover/callers")),
                    agent.getKey() + ": trusted callers are mounted");
            Path etc = containers.resolve(agent.getKey()).resolve("etc/drover");
            assertEquals(etc.resolve("enrolment/node.key"), config.security().nodeKey(), agent.getKey() + ": signs its replies");
            assertEquals(etc.resolve("enrolment/node.crt"), config.security().nodeCertificate(), agent.getKey());
            assertTrue(agent.getValue().path("volumes").toString().contains("./agent/enrolment/" + agent.getValue().path("hostname").asText()
                    + ":/etc/drover/enrolment:ro"), agent.getKey() + ": mounts its own enrolment");
        }
    }

    @Test
    void theSeedDeployPicksTheGermanDevServersOnly(@TempDir Path containers) throws IOException {
        Filter seed = Filter.ofClass("roles::dev_server").and(Filter.ofFact("country=de"));
        Set<String> picked = new TreeSet<>();
        Set<String> all = new TreeSet<>();
        for (Map.Entry<String, JsonNode> agent : agents().entrySet()) {
            NodeSpec node = load(agent.getKey(), agent.getValue(), containers.resolve(agent.getKey())).node();
            all.add(node.identity());
            if (seed.matches(view(node))) {
                picked.add(node.identity());
            }
        }
        assertEquals(Set.of("dev1.de.example.com", "dev2.de.example.com"), picked, "of " + all);
    }

    /**
     * Copies what the service mounts to where the container sees it, under {@code root}, and loads
     * /etc/drover/agent.yaml from there: relative paths in the configuration must resolve to mounted files.
     * The identity is the container's host name, as in the container.
     */
    private static AgentConfig load(String name, JsonNode service, Path root) throws IOException {
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            Path source = ROOT.resolve(parts[0]).normalize();
            if (parts[0].startsWith("./agent/enrolment/") && !Files.exists(source)) {
                // Each host's key and certificate are made by the operator (agent/enrolment/README.md), never committed.
                assertEquals("/etc/drover/enrolment", parts[1], name + ": enrolment mounted where agent.yaml looks");
                continue;
            }
            assertTrue(Files.exists(source), name + ": mounted " + parts[0] + " exists");
            assertTrue(parts[1].startsWith("/etc/drover"), name + ": mounts configuration only: " + parts[1]);
            assertEquals("ro", parts.length > 2 ? parts[2] : "", name + ": read-only mount " + volume.asText());
            copy(source, root.resolve(parts[1].substring(1)));
        }
        Path file = root.resolve("etc/drover/agent.yaml");
        assertTrue(Files.isRegularFile(file), name + " mounts /etc/drover/agent.yaml");
        assertFalse(Files.readString(file).lines().anyMatch(line -> line.startsWith("identity:")),
                "the identity comes from each container's host name");
        String hostname = service.path("hostname").asText();
        assertNotNull(hostname);
        return AgentConfig.load(file).withIdentity(hostname);
    }

    private static void copy(Path source, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        if (!Files.isDirectory(source)) {
            Files.copy(source, target);
            return;
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to);
                }
            }
        }
    }

    private static NodeView view(NodeSpec node) {
        return new NodeView() {
            @Override
            public String identity() {
                return node.identity();
            }

            @Override
            public Set<String> classes() {
                return node.classes();
            }

            @Override
            public Map<String, Object> facts() {
                return node.facts();
            }

            @Override
            public Set<String> agents() {
                return node.agents().keySet();
            }
        };
    }
}
