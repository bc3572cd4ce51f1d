package io.drover.cli;

import io.drover.security.NodeCredentials;
import io.drover.security.ReplySigner;
import io.drover.security.ReplyVerifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return KeysCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void enrolmentFromIssuerToAVerifiedReply() throws Exception {
        assertEquals(0, run("create-issuer", "--name", "fleet", "--dir", dir.resolve("issuer").toString()), err.toString());
        assertTrue(out.toString().contains("-Ddrover.issuer=" + dir.resolve("issuer/fleet.pub")), out.toString());
        assertEquals(0, run("create", "--name", "node", "--dir", dir.resolve("node").toString()), err.toString());
        Path certificate = dir.resolve("node/node.crt");
        assertEquals(0, run("issue", "--issuer", dir.resolve("issuer/fleet.key").toString(), "--name", "web1.example.com",
                "--node-key", dir.resolve("node/node.pub").toString(), "--out", certificate.toString(), "--days", "30"), err.toString());

        NodeCredentials node = NodeCredentials.load(dir.resolve("node/node.key"), certificate);
        assertEquals("web1.example.com", node.identity());
        assertEquals("fleet", node.certificate().issuer());
        assertNull(node.certificate().problemAt(Instant.now()));
        assertTrue(node.certificate().problemAt(Instant.now().plus(Duration.ofDays(31))).contains("expired"));
        ReplyVerifier verifier = ReplyVerifier.load(List.of(dir.resolve("issuer/fleet.pub")));
        io.drover.protocol.Reply reply = ReplySigner.of(List.of(node)).sign(new io.drover.protocol.Reply("0b6f0d2e-4c7b-4b8e",
                "web1.example.com", "rpcutil", "ping", io.drover.protocol.Status.OK, "pong", Map.of(), 0), "d".repeat(43));
        assertNull(verifier.problem(reply, "d".repeat(43)));

        assertEquals(1, run("issue", "--issuer", dir.resolve("issuer/fleet.key").toString(), "--name", "web1.example.com",
                "--node-key", dir.resolve("node/node.pub").toString(), "--out", certificate.toString()), "never overwrites");
        assertTrue(err.toString().contains("exists"), err.toString());
    }

    @Test
    void issueSaysWhatIsMissingOrWrong() {
        assertEquals(2, run("issue", "--name", "web1"));
        assertTrue(err.toString().contains("--issuer is required"), err.toString());
        assertEquals(2, run("issue", "--issuer", "a.key", "--name", "web1", "--node-key", "n.pub", "--out", "x.crt", "--days", "0"));
        assertTrue(err.toString().contains("--days must be"), err.toString());
        assertEquals(2, run("issue", "--issuer"));
        assertTrue(err.toString().contains("--issuer needs a value"), err.toString());
        assertEquals(1, run("issue", "--issuer", dir.resolve("none.key").toString(), "--name", "web1", "--node-key",
                dir.resolve("none.pub").toString(), "--out", dir.resolve("x.crt").toString()));
    }
}
