package io.drover.cli;

import io.drover.security.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar target/drover.jar} as users run it: picocli is in the shaded jar, and exit codes reach the shell. */
class DroverJarIT {
    private static final Path JAR = Path.of("target/drover.jar");

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run java(String... args) throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " does not exist; run the package phase first (./mvnw verify)");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "drover " + String.join(" ", args) + " did not end in 120 s");
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpAndCompletionComeFromTheJar() throws Exception {
        Run help = java("--help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("Exit codes:") && help.out().endsWith("completion.\n"), "printed whole:\n" + help.out());
        Run completion = java("completion");
        assertEquals(0, completion.exit(), completion.err());
        assertTrue(completion.out().contains("complete -F"), completion.out());
        assertEquals(2, java("ping", "--bogus").exit());
    }

    @Test
    void anUnreachableBrokerExitsFour() throws Exception {
        KeyFiles.create(dir, "fleet");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Run run = java("discover", "--broker", "amqp://guest:guest@127.0.0.1:" + port, "--issuer", dir.resolve("fleet.pub").toString());
        assertEquals(4, run.exit(), run.err());
        assertTrue(run.err().contains("Cannot reach the broker amqp://guest:***@127.0.0.1:" + port), run.err());
    }
}
