package io.drover.sandbox;

import io.drover.agent.Node;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.plugin.ConfigException;
import io.drover.filter.Filter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetSpecTest {
    private static final Path REPO_FLEET = Path.of("sandbox", "fleet.yaml");

    @TempDir
    Path dir;

    private FleetSpec load(String yaml) throws IOException {
        Path file = dir.resolve("fleet.yaml");
        Files.writeString(file, yaml);
        return FleetSpec.load(file);
    }

    private String error(String yaml) throws IOException {
        Path file = dir.resolve("fleet.yaml");
        Files.writeString(file, yaml);
        return assertThrows(ConfigException.class, () -> FleetSpec.load(file)).getMessage();
    }

    private static NodeSpec node(FleetSpec fleet, String identity) {
        return fleet.nodes().stream().filter(n -> n.identity().equals(identity)).findFirst().orElseThrow();
    }

    @Test
    void repositoryFleet() {
        FleetSpec fleet = FleetSpec.load(REPO_FLEET);
        assertEquals("drover", fleet.collective());
        assertEquals(12, fleet.nodes().size());
        assertEquals(12, new HashSet<>(fleet.nodes().stream().map(NodeSpec::identity).toList()).size());

        Filter devServersInGermany = Filter.parse("class(roles::dev_server) and country == de");
        List<String> matching = fleet.nodes().stream()
                .map(spec -> Node.build(spec, Plugins.installed()))
                .filter(devServersInGermany::matches)
                .map(Node::identity)
                .sorted()
                .toList();
        assertEquals(List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com", "dev4.de.example.com"),
                matching);
    }

    @Test
    void repositoryFleetDefaultsAreMergedIntoEveryNode() {
        FleetSpec fleet = FleetSpec.load(REPO_FLEET);
        for (NodeSpec spec : fleet.nodes()) {
            assertTrue(spec.classes().containsAll(Set.of("base", "monitoring::nrpe")), spec.identity());
            assertEquals(Set.of("firewall", "package", "service", "nrpe"), spec.agents().keySet(), spec.identity());
            assertEquals(List.of("drover"), spec.collectives());
        }
        NodeSpec dev3 = node(fleet, "dev3.de.example.com");
        assertEquals(Map.of("count", 8), dev3.facts().get("processors"));
        assertEquals(32768, dev3.facts().get("memory_mb"));
        assertEquals("production", dev3.facts().get("environment"));
        assertEquals("staging", node(fleet, "dev4.de.example.com").facts().get("environment"));

        @SuppressWarnings("unchecked")
        Map<String, Object> debianOs = (Map<String, Object>) node(fleet, "db1.us.example.com").facts().get("os");
        assertEquals("Debian", debianOs.get("family"));
        assertEquals(Map.of("major", 12, "full", "12.8"), debianOs.get("release"));
        @SuppressWarnings("unchecked")
        Map<String, Object> defaultOs = (Map<String, Object>) node(fleet, "web1.us.example.com").facts().get("os");
        assertEquals("RedHat", defaultOs.get("family"));
    }

    @Test
    void defaultsAreMergedDeeply() throws IOException {
        FleetSpec fleet = load("""
                collective: lab
                defaults:
                  classes: [base]
                  facts:
                    os: {family: RedHat, name: CentOS}
                    environment: production
                  agents:
                    package:
                      provider: sandbox
                      installed: {mywebapp: 1.0-1}
                    firewall: {provider: sandbox}
                nodes:
                  - identity: a1
                    classes: [roles::web, base]
                    facts:
                      os: {name: Rocky}
                      country: de
                    agents:
                      package:
                        installed: {httpd: 2.4-1}
                  - identity: a2
                """);
        assertEquals("lab", fleet.collective());
        NodeSpec a1 = node(fleet, "a1");
        assertEquals(List.of("lab"), a1.collectives());
        assertEquals(List.of("base", "roles::web"), List.copyOf(a1.classes()));
        assertEquals(Map.of("os", Map.of("family", "RedHat", "name", "Rocky"), "environment", "production", "country", "de"),
                a1.facts());
        assertEquals(Map.of("provider", "sandbox", "installed", Map.of("mywebapp", "1.0-1", "httpd", "2.4-1")),
                a1.agents().get("package"));
        assertEquals(Map.of("provider", "sandbox"), a1.agents().get("firewall"));

        NodeSpec a2 = node(fleet, "a2");
        assertEquals(Set.of("base"), a2.classes());
        assertEquals(Map.of("os", Map.of("family", "RedHat", "name", "CentOS"), "environment", "production"), a2.facts(),
                "another node's overrides must not leak into the defaults");
        assertEquals(Map.of("provider", "sandbox", "installed", Map.of("mywebapp", "1.0-1")), a2.agents().get("package"));
    }

    @Test
    void scalarOverrideReplacesADefaultMap() throws IOException {
        FleetSpec fleet = load("""
                defaults:
                  facts: {os: {family: RedHat}}
                nodes:
                  - identity: a1
                    facts: {os: solaris}
                """);
        assertEquals(Map.of("os", "solaris"), fleet.nodes().get(0).facts());
    }

    @Test
    void collectiveDefaultsToDrover() throws IOException {
        assertEquals("drover", load("nodes: [{identity: a1}]\n").collective());
    }

    @Test
    void duplicateIdentityIsAnError() throws IOException {
        String message = error("nodes:\n  - identity: a1\n  - identity: a2\n  - identity: a1\n");
        assertTrue(message.endsWith("identity a1 appears twice"), message);
    }

    @Test
    void emptyNodesIsAnError() throws IOException {
        assertTrue(error("collective: drover\nnodes: []\n").contains("the fleet has no nodes"));
        assertTrue(error("collective: drover\n").contains("the fleet has no nodes"));
    }

    @Test
    void nodeWithoutIdentityIsAnError() throws IOException {
        String message = error("nodes:\n  - classes: [base]\n");
        assertTrue(message.contains("nodes[0].identity is required"), message);
    }

    @Test
    void typoInANodeIsAnError() throws IOException {
        String message = error("nodes:\n  - identity: a1\n    fact: {country: de}\n");
        assertTrue(message.startsWith("Unknown setting [fact] in "), message);
        assertTrue(message.contains("nodes[0]"), message);
    }

    @Test
    void typoInDefaultsIsAnError() throws IOException {
        String message = error("defaults:\n  class: [base]\nnodes: [{identity: a1}]\n");
        assertTrue(message.startsWith("Unknown setting [class] in ") && message.contains(".defaults"), message);
    }

    @Test
    void typoAtTheTopIsAnError() throws IOException {
        String message = error("colective: lab\nnodes: [{identity: a1}]\n");
        assertTrue(message.startsWith("Unknown setting [colective]"), message);
    }

    @Test
    void agentSettingsMustBeAMapping() throws IOException {
        String message = error("nodes:\n  - identity: a1\n    agents: {firewall: sandbox}\n");
        assertTrue(message.contains("agents.firewall must be a mapping"), message);
    }

    @Test
    void invalidIdentityIsAnError() throws IOException {
        assertTrue(error("nodes:\n  - identity: \"a 1\"\n").startsWith("Identity 'a 1' is not valid"));
    }
}
