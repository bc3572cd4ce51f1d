package io.drover.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway systemd container: {@code systemd-nspawn --boot} on an overlay of the host's root file system,
 * so it needs no image and boots in well under a second. Everything it writes goes to a temporary upper
 * layer; it has its own network namespace (only {@code lo}, or one the test made), its own machine id, and boots a minimal
 * target ({@code basic.target}) instead of the host's default one, so none of the host's services start in it.
 * {@link #close()} shuts it down, unmounts the overlay and removes the temporary directory.
 *
 * <p>Needs root, systemd-nspawn and overlayfs. The host itself need not run systemd.
 */
public final class NspawnContainer implements AutoCloseable {
    private static final String TARGET = "drover-it.target";

    private final Path dir;
    private final Path root;
    private final String machine;
    private final Process nspawn;
    private long initPid;
    private Duration bootTime;
    private boolean mounted;

    private NspawnContainer(Path dir, String machine, Process nspawn) {
        this.dir = dir;
        this.root = dir.resolve("root");
        this.machine = machine;
        this.nspawn = nspawn;
        this.mounted = true;
    }

    /**
     * Boots a container whose {@code /etc/systemd/system} also holds {@code units} (file name: content), with
     * {@code readOnlyBinds} (host paths) visible at the same paths, e.g. directories under the host's /tmp,
     * which the container sees as its own empty tmpfs.
     */
    public static NspawnContainer boot(Map<String, String> units, List<Path> readOnlyBinds, Duration timeout)
            throws IOException, InterruptedException {
        return boot(units, readOnlyBinds, null, timeout);
    }

    /**
     * Like {@link #boot(Map, List, Duration)}, in the network namespace {@code networkNamespace} (e.g.
     * {@code /run/netns/NAME}, with its links and addresses already set up) instead of a private one with
     * only {@code lo}; {@code null} for a private one.
     */
    public static NspawnContainer boot(Map<String, String> units, List<Path> readOnlyBinds, Path networkNamespace,
                                       Duration timeout) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("drover-nspawn-");
        Path upper = dir.resolve("upper");
        Path unitDir = Files.createDirectories(upper.resolve("etc/systemd/system"));
        Files.createDirectories(dir.resolve("work"));
        Files.createDirectories(dir.resolve("root"));
        // systemd refuses to boot with the host's machine id in a container that shares nothing else with it.
        Files.writeString(upper.resolve("etc/machine-id"), UUID.randomUUID().toString().replace("-", "") + "\n");
        Map<String, String> all = new LinkedHashMap<>(unitFiles(units));
        for (Map.Entry<String, String> unit : all.entrySet()) {
            Files.writeString(unitDir.resolve(unit.getKey()), unit.getValue());
        }
        try {
            run(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=/,upperdir=" + upper + ",workdir="
                    + dir.resolve("work"), dir.resolve("root").toString()), "mount an overlay of / (needs root and overlayfs)");
        } catch (AssertionError e) {
            deleteTree(dir);
            throw e;
        }

        String machine = "drover-it-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> command = new ArrayList<>(List.of("systemd-nspawn", "--quiet", "--directory=" + dir.resolve("root"),
                "--machine=" + machine, "--boot",
                // No systemd (nor machined) on the host to make a scope or register with.
                "--keep-unit", "--register=no"));
        if (networkNamespace == null) {
            command.add("--private-network"); // implies CAP_NET_ADMIN inside
        } else {
            // nspawn grants CAP_NET_ADMIN only with a network it made; this namespace is the container's own too.
            command.addAll(List.of("--network-namespace-path=" + networkNamespace, "--capability=CAP_NET_ADMIN"));
        }
        for (Path bind : readOnlyBinds) {
            command.add("--bind-ro=" + bind.toAbsolutePath());
        }
        command.addAll(List.of("--", "--unit=" + TARGET));
        long started = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("console.log").toFile()).start();
        } catch (IOException e) {
            run(List.of("umount", dir.resolve("root").toString()), "unmount the overlay");
            deleteTree(dir);
            throw e;
        }
        NspawnContainer container = new NspawnContainer(dir, machine, process);
        try {
            container.awaitBoot(started, timeout);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            container.close();
            throw e;
        }
        return container;
    }

    private static Map<String, String> unitFiles(Map<String, String> units) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(TARGET, """
                [Unit]
                Description=Drover integration tests: basic system only
                Requires=basic.target
                After=basic.target
                """);
        all.putAll(units);
        return all;
    }

    private void awaitBoot(long started, Duration timeout) throws IOException, InterruptedException {
        long deadline = started + timeout.toNanos();
        while (initPid == 0) {
            Optional<ProcessHandle> init = nspawn.toHandle().children()
                    .filter(child -> comm(child.pid()).equals("systemd")).findFirst();
            if (init.isPresent()) {
                initPid = init.get().pid();
            } else {
                checkAlive(deadline, "the container's systemd did not start");
                Thread.sleep(10);
            }
        }
        String state = "";
        while (!state.equals("running") && !state.equals("degraded")) {
            checkAlive(deadline, "systemd in the container did not finish booting (is-system-running: " + state + ")");
            Thread.sleep(20);
            state = exec("systemctl", "is-system-running").output().strip();
        }
        bootTime = Duration.ofNanos(System.nanoTime() - started);
    }

    private void checkAlive(long deadline, String problem) throws IOException {
        if (!nspawn.isAlive()) {
            throw new AssertionError("systemd-nspawn exited " + nspawn.exitValue() + " before the container was up: " + console());
        }
        if (System.nanoTime() > deadline) {
            throw new AssertionError(problem + "; console: " + console());
        }
    }

    private String console() throws IOException {
        String text = Files.readString(dir.resolve("console.log"), StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
        return text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The container's init (systemd) as the host sees it. */
    public long initPid() {
        return initPid;
    }

    /** The command prefix that runs a command inside the container. */
    public List<String> prefix() {
        return List.of("nsenter", "-t", String.valueOf(initPid), "-a");
    }

    /** How long from starting systemd-nspawn to {@code is-system-running} saying running or degraded. */
    public Duration bootTime() {
        return bootTime;
    }

    public String machine() {
        return machine;
    }

    public Path directory() {
        return dir;
    }

    /**
     * The container's root as the host sees it (the overlay's merged view): files written here appear in the
     * container at once, and land in its throwaway upper layer.
     */
    public Path root() {
        return root;
    }

    /** What one command run inside the container did. */
    public record Exec(int exitCode, String output) {
    }

    /** Runs a command inside the container, stdout and stderr together. */
    public Exec exec(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("`" + String.join(" ", command) + "` did not finish in 30 s");
        }
        return new Exec(process.exitValue(), output);
    }

    /**
     * Shuts the container down (orderly: nspawn turns SIGTERM into a poweroff; SIGKILL to its init after 20 s),
     * unmounts the overlay and removes the temporary directory. Never removes anything while a mount is left
     * under it, so a failed unmount cannot turn into deleting through the overlay.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (nspawn.isAlive()) {
                nspawn.toHandle().destroy();
                if (!nspawn.waitFor(20, TimeUnit.SECONDS)) {
                    // Killing a PID namespace's init kills everything in it; nspawn then exits.
                    ProcessHandle.of(initPid).ifPresent(ProcessHandle::destroyForcibly);
                    if (!nspawn.waitFor(10, TimeUnit.SECONDS)) {
                        nspawn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        } finally {
            unmount();
            if (mountsUnder(dir).isEmpty()) {
                deleteTree(dir);
            }
        }
    }

    private void unmount() throws IOException, InterruptedException {
        for (int attempt = 0; mounted && attempt < 50; attempt++) {
            if (!mountsUnder(dir).contains(root.toString())) {
                mounted = false;
            } else if (new ProcessBuilder("umount", root.toString()).inheritIO().start().waitFor() != 0) {
                Thread.sleep(100); // busy while the last container processes go away
            }
        }
    }

    /** The mount points at or under {@code path} in this (the host's) mount namespace. */
    public static List<String> mountsUnder(Path path) throws IOException {
        String prefix = path.toAbsolutePath().toString();
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String point = line.split(" ")[1].replace("\\040", " ");
            if (point.equals(prefix) || point.startsWith(prefix + "/")) {
                mounts.add(point);
            }
        }
        return mounts;
    }

    /** Whether the container's systemd-nspawn process is still running. */
    public boolean running() {
        return nspawn.isAlive();
    }

    private static void run(List<String> command, String what) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new AssertionError("cannot " + what + ": `" + String.join(" ", command) + "` exited " + process.exitValue()
                    + ": " + output.strip());
        }
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
