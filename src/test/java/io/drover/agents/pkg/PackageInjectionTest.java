package io.drover.agents.pkg;

import io.drover.agent.Node;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile package names and versions sent to nodes with the real apt and dnf providers: every one is refused
 * as invalid data by the request handler, and no process is started.
 */
class PackageInjectionTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    Path dir;
    private final RequestHandler handler = new RequestHandler(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC),
            Duration.ofSeconds(30), 3600, false);

    private List<Node> realNodes() throws Exception {
        Path aptConfig = Files.writeString(dir.resolve("apt.conf"), "Dir \"" + dir + "/root/\";\n");
        Path root = Files.createDirectories(dir.resolve("root"));
        Node apt = node("apt01", Map.of("provider", "apt", "apt_config", aptConfig.toString(), "dpkg_root", root.toString()));
        Node dnf = node("rpm01", Map.of("provider", "dnf", "installroot", root.toString()));
        assertEquals("apt", apt.plugin("package", PackageAgent.class).provider());
        assertEquals("dnf", dnf.plugin("package", PackageAgent.class).provider());
        return List.of(apt, dnf);
    }

    private static Node node(String identity, Map<String, Object> settings) {
        return Node.build(new NodeSpec(identity, List.of("drover"), Set.of(), Map.of(), Map.of("package", settings)),
                Plugins.installed());
    }

    private Reply send(Node node, String action, Map<String, Object> params) {
        Request request = new Request("inject-" + IDS.incrementAndGet(), "drover", "package", action, params, null, null,
                "mallory", NOW, 60, null);
        return handler.handle(node, request).orElseThrow();
    }

    static List<String> hostileNames() {
        return List.of("mywebapp; rm -rf /", "$(reboot)", "`id`", "a b", "a\nb", "mywebapp\n", "-oDir=/", "--reinstall",
                "mywebapp=1.0 evil", "mywebapp=1.0", "mywebapp:amd64", "*", "mywebapp*", "../../etc/passwd", "/tmp/evil.deb",
                "mywebapp\tx", "mywebapp\u0000", "?exact-name(mywebapp)", "~nmywebapp", " mywebapp", "a".repeat(129));
    }

    static List<String> hostileVersions() {
        return List.of("1.0; rm -rf /", "$(reboot)", "`id`", "1 2", "1\n2", "4.2.6-3\n", "-1", "--allow-unauthenticated",
                "1.0 evil", "1.0=2", "1.0*", "1.0/../x", "1.0\u0000", "a".repeat(129));
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void hostilePackageNamesAreRefusedBeforeAnyProcessStarts(String name) throws Exception {
        List<Node> nodes = realNodes();
        long started = ProcessCommandRunner.startedProcesses();
        for (Node node : nodes) {
            for (String action : List.of("install", "update", "uninstall", "status")) {
                Reply reply = send(node, action, Map.of("package", name));
                assertEquals(Status.INVALID_DATA, reply.status(), node + " " + action + " " + name + ": " + reply.message());
                assertTrue(reply.message().startsWith("Input 'package' of package." + action), reply.message());
            }
        }
        assertEquals(started, ProcessCommandRunner.startedProcesses(), "no process may start for " + name);
    }

    @ParameterizedTest
    @MethodSource("hostileVersions")
    void hostileVersionsAreRefusedBeforeAnyProcessStarts(String version) throws Exception {
        List<Node> nodes = realNodes();
        long started = ProcessCommandRunner.startedProcesses();
        for (Node node : nodes) {
            Map<String, Object> params = new HashMap<>(Map.of("package", "mywebapp", "version", version));
            Reply reply = send(node, "install", params);
            assertEquals(Status.INVALID_DATA, reply.status(), node + " install " + version + ": " + reply.message());
            assertTrue(reply.message().startsWith("Input 'version' of package.install"), reply.message());
            // a version where an action takes none is refused as well, not ignored
            Reply extra = send(node, "uninstall", params);
            assertEquals(Status.INVALID_DATA, extra.status(), extra.message());
        }
        assertEquals(started, ProcessCommandRunner.startedProcesses(), "no process may start for version " + version);
    }
}
