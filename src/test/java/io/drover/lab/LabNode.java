package io.drover.lab;

import io.drover.testing.NspawnContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One host of the lab: a systemd container booted with {@link NspawnContainer} in its own network namespace on
 * the lab bridge, with an identity, facts and classes for its agent. Files are written into its root from the
 * host; commands run inside it.
 *
 * @param identity  the agent's identity, e.g. dev1.de.example.com
 * @param country   its {@code country} fact
 * @param address   its address on the lab bridge
 * @param namespace its network namespace
 * @param container the booted container
 */
record LabNode(String identity, String country, String address, String namespace, NspawnContainer container) {

    static LabNode boot(String identity, String country, String address, String namespace, Duration timeout)
            throws IOException, InterruptedException {
        NspawnContainer container = NspawnContainer.boot(Map.of(), List.of(), LabNetwork.path(namespace), timeout);
        return new LabNode(identity, country, address, namespace, container);
    }

    /** Writes {@code content} to {@code path} (relative to the container's root), making directories. */
    void write(String path, String content, String permissions) throws IOException {
        Path file = container.root().resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    }

    void write(String path, String content) throws IOException {
        write(path, content, "rw-r--r--");
    }

    /** Runs a command inside the container; fails with its output unless it exits 0. */
    String check(String... args) throws IOException, InterruptedException {
        NspawnContainer.Exec result = container.exec(args);
        if (result.exitCode() != 0) {
            throw new AssertionError(identity + ": `" + String.join(" ", args) + "` exited " + result.exitCode() + ":\n"
                    + result.output());
        }
        return result.output();
    }

    /** The installed version of {@code pkg} as dpkg-query reports it inside the container, or "" when absent. */
    String packageVersion(String pkg) throws IOException, InterruptedException {
        NspawnContainer.Exec result = container.exec("dpkg-query", "-W", "-f", "${db:Status-Status} ${Version}", "--", pkg);
        String out = result.output().strip();
        return result.exitCode() == 0 && out.startsWith("installed ") ? out.substring("installed ".length()) : "";
    }

    /** Properties of a unit, from {@code systemctl show}. */
    Map<String, String> unit(String unit, String... properties) throws IOException, InterruptedException {
        Map<String, String> values = new LinkedHashMap<>();
        String output = check("systemctl", "show", "-p", String.join(",", properties), "--", unit);
        for (String line : output.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    /** The unit's journal, for failure messages. */
    String journal(String unit) throws IOException, InterruptedException {
        return container.exec("journalctl", "--no-pager", "-o", "cat", "-u", unit).output();
    }

    /** Lines in the container's dpkg log: every dpkg run that changed something adds some. */
    long dpkgLogLines() throws IOException {
        Path log = container.root().resolve("var/log/dpkg.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    /** Shuts the container down and removes it. */
    void shutDown() throws IOException, InterruptedException {
        container.close();
    }
}
