package io.drover.agents.firewall;

import io.drover.agent.Node;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile addresses sent to the real providers through the agent's request path are refused as invalid data
 * before any process starts. The command prefix {@code true} makes whatever would run harmless; the process
 * count shows whether anything ran.
 */
class FirewallInjectionTest {
    static final List<String> HOSTILE = List.of(
            "1.2.3.4; iptables -F", "$(reboot)", "`id`", "1.2.3.4 -j ACCEPT", "-F", "1.2.3.4\n-F", "10.0.0.0/8/8",
            "1.2.3.4 }; flush ruleset; add element inet drover blocked4 { 1.2.3.5", "::1 }; delete table inet drover",
            "1.2.3.4\0", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\t-F", "1.2.3.4\r\n-F", "1.2.3.4/32 -j ACCEPT", "--flush",
            "1.2.3.4|reboot", "1.2.3.4&&reboot", "fd00::1/64 -j ACCEPT", "1.2.3.4/", "01.2.3.4", "localhost",
            "1.2.3.4 ! -s 1.2.3.5", "0x7f.0.0.1", "::ffff:1.2.3.4", "1.2.3.4/33", "fd00::1%eth0");

    private final RequestHandler handler = new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false);

    static Node node(String provider) {
        return Node.build(new NodeSpec("web01.test", List.of("drover"), Set.of(), Map.of(),
                Map.of("firewall", Map.of("provider", provider, "command_prefix", List.of("true")))), Plugins.installed());
    }

    private Reply send(Node node, String action, String address) {
        Request request = new Request(Request.newId(), "drover", "firewall", action, Map.of("address", address), null, null,
                "alice", System.currentTimeMillis(), 60, null);
        return handler.handle(node, request).orElseThrow();
    }

    static Stream<Arguments> attempts() {
        return Stream.of("iptables", "nftables").flatMap(provider -> Stream.of("block", "unblock", "is_blocked")
                .flatMap(action -> HOSTILE.stream().map(address -> Arguments.of(provider, action, address))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("attempts")
    void hostileAddressesAreInvalidDataAndNothingRuns(String provider, String action, String address) {
        Node node = node(provider);
        long before = ProcessCommandRunner.startedProcesses();
        Reply reply = send(node, action, address);
        assertEquals(Status.INVALID_DATA, reply.status(), reply.message());
        assertTrue(reply.message().startsWith("Input 'address' of firewall." + action), reply.message());
        assertEquals(before, ProcessCommandRunner.startedProcesses(), "no process may start for " + address);
    }

    /** The control: the same path with a valid address does start processes, so the count above is meaningful. */
    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void aValidAddressDoesRunCommands(String provider) {
        Node node = node(provider);
        long before = ProcessCommandRunner.startedProcesses();
        Reply reply = send(node, "is_blocked", "1.2.3.4");
        assertNotEquals(Status.INVALID_DATA, reply.status(), reply.message());
        assertTrue(ProcessCommandRunner.startedProcesses() > before, "is_blocked ran no command");
        assertEquals(provider, node.plugin("firewall", FirewallAgent.class).provider());
    }
}
