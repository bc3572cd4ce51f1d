package io.drover.agent;

import io.drover.security.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code drover-agent keys}: the node's own key pair, without the runner's command line. */
class NodeKeyCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return NodeKeyCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void createsTheNodeKeyAndSaysHowToEnrolIt() throws Exception {
        assertEquals(0, run("create", "--name", "node", "--dir", dir.toString()), err.toString());
        assertNotNull(KeyFiles.readPrivate(dir.resolve("node.key")));
        assertNotNull(KeyFiles.readPublic(dir.resolve("node.pub")));
        assertTrue(out.toString().contains("drover keys issue --issuer ISSUER.key --name NODE --node-key node.pub"), out.toString());
        assertEquals(1, run("create", "--name", "node", "--dir", dir.toString()), "never overwrites a key");
        assertTrue(Files.exists(dir.resolve("node.key")));
    }

    @Test
    void refusesWhatIsNotItsJob() {
        assertEquals(2, run());
        assertEquals(2, run("issue", "--name", "web1"));
        assertTrue(err.toString().contains("'drover keys ...'"), err.toString());
        assertEquals(2, run("create", "--dir", dir.toString()));
        assertTrue(err.toString().contains("--name is required"), err.toString());
        assertEquals(2, run("create", "--name"));
        assertTrue(err.toString().contains("--name needs a value"), err.toString());
        assertEquals(2, run("create", "--bogus", "x"));
    }
}
