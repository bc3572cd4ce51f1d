package io.drover.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A process the benchmark starts: a broker, responders, the emulator or an agent. */
final class Child implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final long startedNanos;

    private Child(Process process, Path log, long startedNanos) {
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /** Starts {@code java JVM_FLAGS -cp <this classpath> MAIN ARGS}, logging to {@code log}. */
    static Child java(Path log, List<String> jvmFlags, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(List.of(args));
        return start(log, command);
    }

    static Child start(Path log, List<String> command) throws IOException {
        Files.createDirectories(log.getParent());
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Child(process, log, started);
    }

    /** The first log line containing {@code marker}, waiting up to {@code timeout}. */
    String await(String marker, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> line = Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains(marker)).findFirst()
                    : Optional.empty();
            if (line.isPresent()) {
                return line.get();
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("process exited " + process.exitValue() + " before '" + marker + "':\n" + Files.readString(log));
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no '" + marker + "' within " + timeout + ":\n" + Files.readString(log));
    }

    /** Time since start, for start-up measurements. */
    Duration sinceStart() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Resident set size in kB, from /proc. */
    long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }
}
