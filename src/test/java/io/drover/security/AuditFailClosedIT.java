package io.drover.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.catalog.IpAddress;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.report.HostTable;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import io.drover.testing.RealTools;
import io.drover.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent whose audit log is on a full disk (a 64 KiB tmpfs the test mounts) acts on nothing: the block is
 * refused with "audit log unavailable" and the firewall is unchanged. Once space is freed the same agent audits
 * and acts again, intent before the action and outcome after it. Needs root for the mount.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditFailClosedIT {
    private static final String HOST = "web1.de.example.com";
    private static final String LB = "192.168.1.1";

    private Path mount;
    private boolean mounted;
    private TestBroker broker;
    private AuditLog audit;
    private NodeHost host;
    private Node node;
    private DroverClient client;

    @BeforeAll
    void start() throws Exception {
        RealTools.requireRoot();
        RealTools.require("mount", "mount");
        mount = Files.createTempDirectory("drover-audit-tmpfs");
        run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mount.toString());
        mounted = true;
        broker = TestBroker.embedded();
        String collective = "audit-" + UUID.randomUUID().toString().substring(0, 8);
        audit = AuditLog.toFile(mount.resolve("audit.log"));
        node = Node.build(new NodeSpec(HOST, List.of(collective), Set.of(), Map.of(), Map.of("firewall", Map.of("provider", "sandbox"))),
                Plugins.installed());
        host = new NodeHost(broker.connector(), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false,
                new RequestSecurity(null, null, audit, null)), NodeHost.Options.agent(HOST));
        host.add(List.of(node));
        client = DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective)
                .withCallTimeout(Duration.ofSeconds(10)));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (client != null) {
                client.close();
            }
            if (host != null) {
                host.close();
            }
            if (audit != null) {
                audit.close();
            }
            if (broker != null) {
                broker.close();
            }
        } finally {
            if (mounted) {
                run("umount", mount.toString());
            }
            if (mount != null) {
                Files.deleteIfExists(mount);
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }

    private boolean blocked() throws Exception {
        return node.plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse(LB));
    }

    /** Fills the tmpfs to the last page; returns the filler file. */
    private Path fill() throws IOException {
        Path filler = mount.resolve("filler");
        byte[] page = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int i = 0; i < 1024; i++) {
                out.write(page);
                out.flush();
            }
            throw new AssertionError("wrote 4 MiB to a 64 KiB tmpfs without running out of space");
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("No space left on device"), String.valueOf(e.getMessage()));
        }
        return filler;
    }

    /** Every line of the audit log, each of which must be complete JSON. */
    private List<JsonNode> auditLines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(mount.resolve("audit.log"))) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    private Reply block() {
        CallResult result = client.call(Call.of("firewall", "block").param("address", LB).to(Set.of(HOST)));
        Reply reply = result.replies().get(HOST);
        assertNotNull(reply, HostTable.of(result).render());
        return reply;
    }

    @Test
    void aFullAuditDiskRunsNothingAndAuditingResumesOnceThereIsSpace() throws Exception {
        assertEquals(0, Files.size(mount.resolve("audit.log")), "nothing audited yet, so the next line needs a page of its own");
        Path filler = fill();

        Reply refused = block();
        assertEquals(Status.UNKNOWN_ERROR, refused.status(), refused.message());
        assertTrue(refused.message().startsWith("audit log unavailable: "), refused.message());
        assertTrue(refused.message().contains("No space left on device"), refused.message());
        assertTrue(refused.message().endsWith("; the action was not run"), refused.message());
        assertFalse(blocked(), "fail closed: the block did not run unaudited");
        assertEquals(List.of(), auditLines(), "no partial line left behind");

        Files.delete(filler);
        Reply ran = block();
        assertEquals(Status.OK, ran.status(), ran.message());
        assertEquals("blocked " + LB, ran.message());
        assertTrue(blocked());
        List<String> verdicts = new ArrayList<>();
        for (JsonNode line : auditLines()) {
            assertEquals(ran.requestId(), line.get("request_id").asText(), "only the request that ran was audited: " + line);
            verdicts.add(line.get("verdict").asText() + " " + line.get("status").asInt());
        }
        assertEquals(List.of("started -1", "ran 0"), verdicts, "intent before the action, outcome after it");
    }
}
