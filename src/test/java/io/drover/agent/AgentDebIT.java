package io.drover.agent;

import io.drover.config.YamlDocuments;

import io.drover.agent.command.Command;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agents.nrpe.NrpeAgent;
import io.drover.testing.AgentHarness;
import io.drover.testing.AgentProcess;
import io.drover.testing.RealTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's Debian package as the build makes it (target/drover-agent_VERSION_all.deb), read with dpkg-deb:
 * its control fields, what it installs where with which modes, its conffiles, and a configuration skeleton
 * that loads. LabIT installs and runs it on booted hosts.
 */
class AgentDebIT {
    private static final ProcessCommandRunner SHELL = new ProcessCommandRunner(List.of(), Duration.ofSeconds(60), 1 << 20);
    private static Path deb;

    @BeforeAll
    static void findThePackage() throws Exception {
        RealTools.require("dpkg-deb", "dpkg");
        String version;
        try (JarFile jar = new JarFile(AgentProcess.jar().toFile())) {
            version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        // jdeb's Debian version of a Maven snapshot: "~" sorts before the release it leads to.
        deb = AgentProcess.jar().toAbsolutePath().getParent().resolve("drover-agent_" + version.replace("-SNAPSHOT", "~SNAPSHOT") + "_all.deb");
        assertTrue(Files.isRegularFile(deb), deb + " is built in the package phase");
    }

    private static String field(String name) throws Exception {
        return SHELL.check(Command.of("dpkg-deb", "--field", deb.toString(), name)).stdout().strip();
    }

    @Test
    void controlFields() throws Exception {
        assertEquals("drover-agent", field("Package"));
        assertEquals("all", field("Architecture"));
        assertTrue(deb.getFileName().toString().equals("drover-agent_" + field("Version") + "_all.deb"), deb.toString());
        assertEquals("default-jre-headless (>= 2:1.17) | java17-runtime-headless", field("Depends"), "a Java 17 runtime or newer");
    }

    @Test
    void whatItInstallsWhereWithWhichModes() throws Exception {
        Map<String, String> modes = new TreeMap<>();
        for (String line : SHELL.check(Command.of("dpkg-deb", "--contents", deb.toString())).stdout().lines().toList()) {
            String[] words = line.trim().split("\\s+");
            String path = words[words.length - 1].substring(1);
            modes.put(path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path, words[0] + " " + words[1]);
        }
        Map<String, String> expected = Map.of(
                "/usr/share/drover/drover-agent.jar", "-rw-r--r-- root/root",
                "/usr/bin/drover-agent", "-rwxr-xr-x root/root",
                "/lib/systemd/system/drover-agent.service", "-rw-r--r-- root/root",
                "/etc/drover/agent.yaml", "-rw-r--r-- root/root",
                "/etc/drover/nrpe.cfg", "-rw-r--r-- root/root",
                "/etc/drover/policy.yaml", "-rw-r--r-- root/root",
                "/etc/default/drover-agent", "-rw------- root/root",
                "/etc/drover/callers", "drwxr-xr-x root/root",
                "/var/log/drover", "drwxr-x--- root/root");
        expected.forEach((path, mode) -> assertEquals(mode, modes.get(path), path));
    }

    @Test
    void everyFileUnderEtcIsAConffileAndTheSkeletonLoads(@TempDir Path dir) throws Exception {
        SHELL.check(Command.of("dpkg-deb", "--raw-extract", deb.toString(), dir.toString()));
        List<String> etc;
        try (Stream<Path> files = Files.walk(dir.resolve("etc"))) {
            etc = files.filter(Files::isRegularFile).map(file -> "/" + dir.relativize(file)).sorted().toList();
        }
        assertEquals(etc, Files.readAllLines(dir.resolve("DEBIAN/conffiles")).stream().sorted().toList(),
                "dpkg keeps local changes to every configuration file");
        assertEquals(sha256(AgentProcess.jar()), sha256(dir.resolve("usr/share/drover/drover-agent.jar")), "the slim jar the build made");

        AgentConfig config = AgentConfig.load(dir.resolve("etc/drover/agent.yaml"));
        assertEquals(dir.resolve("etc/drover/callers"), config.security().trustedCallers(), "callers next to agent.yaml");
        assertEquals(Path.of("/var/log/drover/audit.log"), config.security().auditLog());
        assertEquals(dir.resolve("etc/drover/node.key"), config.security().nodeKey(), "the node signs its replies by default");
        assertEquals(dir.resolve("etc/drover/node.crt"), config.security().nodeCertificate());
        assertEquals(Map.of(), YamlDocuments.readMap(dir.resolve("etc/drover/facts.yaml"), "facts file"), "no facts set yet");
        assertEquals(List.of(), List.copyOf(config.node().classes()), "no classes yet");
        // Every example check runs without a shell: the nrpe plugin refuses definitions that would need one.
        AgentHarness nrpe = new AgentHarness(Map.of("nrpe", Map.of("provider", "nrpe", "config", dir.resolve("etc/drover/nrpe.cfg").toString())));
        assertEquals(Set.of("check_load", "check_root_disk", "check_zombie_procs", "check_total_procs"),
                nrpe.node().plugin("nrpe", NrpeAgent.class).checks().commands());
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
