package io.drover.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A node agent started from the slim jar as its own process, the way operators run it. */
public final class AgentProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The agent jar the build produced; failsafe passes its path in {@code DROVER_AGENT_JAR}. */
    public static Path jar() {
        String path = System.getenv("DROVER_AGENT_JAR");
        Path jar = Path.of(path != null ? path : "target/drover-agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist; run the package phase first (./mvnw verify)");
        }
        return jar;
    }

    /** Starts {@code java -jar drover-agent.jar ARGS}, logging to {@code log}. */
    public static AgentProcess start(Path log, String... args) throws IOException {
        return start(new ProcessBuilder(), log, args);
    }

    /**
     * Starts the agent with its wall clock shifted by {@code offset} (libfaketime's syntax: {@code +40s},
     * {@code -25s}); the clock still runs. libfaketime is preloaded into the JVM itself rather than through the
     * {@code faketime} wrapper, so {@link #close()} stops the JVM and not a wrapper that would leave it orphaned.
     * Monotonic clocks are left alone: the JVM's timed waits hang when libfaketime fakes them.
     */
    public static AgentProcess startWithClockOffset(Path log, String offset, String... args) throws IOException {
        if (!offset.matches("[+-][0-9]{1,6}s")) {
            throw new IllegalArgumentException("offset must look like +40s or -25s, got " + offset);
        }
        ProcessBuilder builder = new ProcessBuilder();
        builder.environment().put("LD_PRELOAD", libfaketime().toString());
        builder.environment().put("FAKETIME", offset);
        builder.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        return start(builder, log, args);
    }

    /** libfaketime as Debian's {@code faketime} package installs it. */
    public static Path libfaketime() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib")) {
            Path library = Path.of(dir, "faketime", "libfaketime.so.1");
            if (Files.isRegularFile(library)) {
                return library;
            }
        }
        throw new IllegalStateException("libfaketime.so.1 not found; install it with: apt-get install faketime");
    }

    /**
     * Starts the agent with {@code jars} (the agent jar and plugin jars beside it) as its class path, as an operator
     * adds plugins: {@code java -cp drover-agent.jar:plugin.jar io.drover.agent.AgentMain ARGS}.
     */
    public static AgentProcess startWithClassPath(Path log, List<Path> jars, String... args) throws IOException {
        List<String> classPath = jars.stream().map(Path::toString).toList();
        return start(new ProcessBuilder(), log, List.of("-cp", String.join(java.io.File.pathSeparator, classPath),
                "io.drover.agent.AgentMain"), args);
    }

    private static AgentProcess start(ProcessBuilder builder, Path log, String[] args) throws IOException {
        return start(builder, log, List.of("-jar", jar().toString()), args);
    }

    private static AgentProcess start(ProcessBuilder builder, Path log, List<String> launch, String[] args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(launch);
        command.addAll(List.of(args));
        Process process = builder.command(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AgentProcess(process, log);
    }

    /** Whether the agent has logged its "ready" line; fails with the log if it exited without. */
    public boolean isReady() throws IOException {
        String text = output();
        if (text.contains(" ready in ")) {
            return true;
        }
        if (!process.isAlive()) {
            throw new AssertionError("agent exited with " + process.exitValue() + ":\n" + text);
        }
        return false;
    }

    /** Waits for the agent's "ready" log line; fails with the log if the agent exits or takes too long. */
    public AgentProcess awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = output();
            if (text.contains(" ready in ")) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("agent exited with " + process.exitValue() + ":\n" + text);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("agent not ready after " + timeout + ":\n" + output());
    }

    /** Runs to completion, for commands like {@code --check}; returns the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("agent did not exit within " + timeout);
        }
        return process.exitValue();
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Kills the agent as {@code kill -9} would: no clean shutdown, no goodbye to the registry. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
