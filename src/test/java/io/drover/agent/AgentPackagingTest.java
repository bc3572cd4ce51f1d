package io.drover.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged agent exits on OutOfMemoryError and its supervisors restart it (issue 10: deaf after an OOM). */
class AgentPackagingTest {
    @Test
    void theWrapperAlwaysRunsTheJvmWithExitOnOutOfMemoryError(@TempDir Path dir) throws Exception {
        Path java = dir.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder builder = new ProcessBuilder("sh", Path.of("agent/deb/drover-agent").toAbsolutePath().toString(), "--check");
        builder.environment().put("JAVA_HOME", dir.toString());
        builder.environment().put("DROVER_AGENT_JAVA_OPTS", "-Xmx64m -XX:+UseSerialGC");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the wrapper ran");
        List<String> args = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("-XX:+ExitOnOutOfMemoryError", "-Xmx64m", "-XX:+UseSerialGC", "-jar",
                "/usr/share/drover/drover-agent.jar", "--check"), args, "even when DROVER_AGENT_JAVA_OPTS is overridden");
    }

    @Test
    void systemdAndComposeRestartAnAgentThatExited() throws Exception {
        String unit = Files.readString(Path.of("agent/drover-agent.service"));
        assertTrue(unit.lines().anyMatch(line -> line.equals("Restart=on-failure") || line.equals("Restart=always")), unit);
        assertTrue(unit.lines().anyMatch(line -> line.equals("RestartPreventExitStatus=2")), "only a configuration error stays down");
        assertTrue(Files.readString(Path.of("agent/deb/drover-agent")).contains("-XX:+ExitOnOutOfMemoryError"));
        String compose = Files.readString(Path.of("docker-compose.yml"));
        assertTrue(compose.contains("restart: unless-stopped"), "agent containers come back after an exit");
    }
}
