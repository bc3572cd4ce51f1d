package io.drover.agent.command;

import io.drover.agent.plugin.ActionFailedException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** {@link CommandRunner} that starts real processes. Thread-safe. */
public final class ProcessCommandRunner implements CommandRunner {
    /** Bytes kept of each of stdout and stderr; the rest is read and dropped so the command never blocks. */
    public static final int DEFAULT_OUTPUT_LIMIT = 256 * 1024;
    /** The environment every command starts from: nothing of the agent's own (it may hold broker secrets). */
    static final Map<String, String> BASE_ENVIRONMENT = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG", "C.UTF-8",
            "LC_ALL", "C.UTF-8",
            "DEBIAN_FRONTEND", "noninteractive");
    private static final AtomicLong STARTED = new AtomicLong();

    private final List<String> prefix;
    private final Duration defaultTimeout;
    private final int outputLimit;

    public ProcessCommandRunner(List<String> prefix, Duration defaultTimeout, int outputLimit) {
        this.prefix = List.copyOf(prefix);
        this.defaultTimeout = defaultTimeout;
        this.outputLimit = outputLimit;
    }

    /** Processes started by every runner in this JVM; tests use it to prove that nothing ran. */
    public static long startedProcesses() {
        return STARTED.get();
    }

    @Override
    public List<String> prefix() {
        return prefix;
    }

    @Override
    public CommandResult run(Command command) throws ActionFailedException {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command.args());
        ProcessBuilder builder = new ProcessBuilder(full).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(BASE_ENVIRONMENT);
        builder.environment().putAll(command.environment());
        Duration timeout = command.timeout() != null ? command.timeout() : defaultTimeout;
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ActionFailedException("cannot run `" + Command.display(full) + "`: " + e.getMessage());
        }
        STARTED.incrementAndGet();
        Capture out = new Capture(process.getInputStream(), outputLimit);
        Capture err = new Capture(process.getErrorStream(), outputLimit);
        out.start();
        err.start();
        boolean timedOut = false;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                kill(process);
            }
            out.join(5_000);
            err.join(5_000);
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ActionFailedException("interrupted while running `" + Command.display(full) + "`");
        }
        return new CommandResult(full, timedOut ? -1 : process.exitValue(), out.text(), err.text(), timedOut,
                out.truncated() || err.truncated(), Duration.ofNanos(System.nanoTime() - started));
    }

    /** Kills the process and everything it started, children first. */
    private static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** Reads one output stream to its end, keeping at most {@code limit} bytes. */
    private static final class Capture extends Thread {
        private final InputStream in;
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final AtomicBoolean truncated = new AtomicBoolean();

        Capture(InputStream in, int limit) {
            super("drover command output");
            setDaemon(true);
            this.in = in;
            this.limit = limit;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        int room = limit - kept.size();
                        if (room > 0) {
                            kept.write(buffer, 0, Math.min(room, n));
                        }
                        if (n > room) {
                            truncated.set(true);
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; what was read is kept
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }

        boolean truncated() {
            return truncated.get();
        }
    }
}
