package io.drover.agent;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.catalog.ActionSpec;
import io.drover.catalog.OutputSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the built-in plugins reply is what their catalogs say: every data key an action returns is a declared output. */
class BuiltInCatalogsTest {
    private static final Node NODE = Node.build(new NodeSpec("web01.example.com", List.of("drover"), Set.of("base"),
            Map.of("country", "de"), Map.of(
                    "firewall", Map.of("provider", "sandbox"),
                    "package", Map.of("provider", "sandbox", "installed", Map.of("mywebapp", "1.0-1"),
                            "available", Map.of("mywebapp", List.of("1.0-1", "1.1-1"))),
                    "service", Map.of("provider", "sandbox", "services", Map.of("httpd", "running")),
                    "nrpe", Map.of("provider", "sandbox", "commands", Map.of(
                            "check_load", Map.of("output", "OK - load 0.1|load=0.1"),
                            "check_disk", Map.of("exit", 2, "output", "DISK CRITICAL"))))),
            Plugins.installed());

    static Stream<Arguments> calls() {
        return Stream.of(
                Arguments.of("rpcutil", "ping", Map.of()),
                Arguments.of("rpcutil", "inventory", Map.of()),
                Arguments.of("rpcutil", "get_fact", Map.of("fact", "country")),
                Arguments.of("firewall", "block", Map.of("address", "192.0.2.1")),
                Arguments.of("firewall", "is_blocked", Map.of("address", "192.0.2.1")),
                Arguments.of("firewall", "list_blocked", Map.of()),
                Arguments.of("firewall", "unblock", Map.of("address", "192.0.2.1")),
                Arguments.of("package", "status", Map.of("package", "mywebapp")),
                Arguments.of("package", "install", Map.of("package", "mywebapp", "version", "1.0-1")),
                Arguments.of("package", "update", Map.of("package", "mywebapp")),
                Arguments.of("package", "uninstall", Map.of("package", "mywebapp")),
                Arguments.of("service", "status", Map.of("service", "httpd")),
                Arguments.of("service", "stop", Map.of("service", "httpd")),
                Arguments.of("service", "start", Map.of("service", "httpd")),
                Arguments.of("service", "restart", Map.of("service", "httpd")),
                Arguments.of("nrpe", "run_command", Map.of("command", "check_load")),
                Arguments.of("nrpe", "run_command", Map.of("command", "check_disk")));
    }

    @ParameterizedTest(name = "{0}.{1} {2}")
    @MethodSource("calls")
    void everyOutputIsDeclared(String agent, String actionName, Map<String, Object> params) {
        AgentPlugin plugin = NODE.plugin(agent);
        Action action = plugin.action(actionName);
        Map<String, Object> data;
        try {
            data = action.handler().run(action.validate(agent, params)).data();
        } catch (ActionFailedException e) {
            data = e.data();
        }
        assertTrue(!data.isEmpty(), "an action of a built-in agent always returns data");
        ActionSpec spec = action.spec();
        Set<String> declared = spec.outputs().stream().map(OutputSpec::name).collect(Collectors.toSet());
        Set<String> undeclared = new TreeSet<>(data.keySet());
        undeclared.removeAll(declared);
        assertEquals(Set.of(), undeclared, agent + "." + actionName + " returns outputs its catalog does not declare");
    }
}
