package io.drover.agents.nrpe;

import io.drover.agent.plugin.Settings;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox provider: checks with canned results. Settings: {@code commands}, each
 * {@code name: {exit: 0, output: "OK - ...|perf", delay_ms: 0, settle_runs: 0}}; {@code settle_runs: N} makes the first
 * N runs report CRITICAL ("settling"), as a service warming up after a restart, so a health gate passes on run N+1.
 */
public final class SandboxChecks implements CheckRunner {
    private final Map<String, Canned> commands = new ConcurrentHashMap<>();

    private record Canned(int exit, String output, long delayMs, long settleRuns, AtomicLong runs) {
        Canned(int exit, String output, long delayMs) {
            this(exit, output, delayMs, 0, new AtomicLong());
        }
    }

    public SandboxChecks(Settings settings) {
        Settings section = settings.section("commands");
        for (String name : new TreeMap<>(settings.map("commands")).keySet()) {
            Settings check = section.section(name);
            long exit = check.integer("exit", 0);
            if (exit < 0 || exit > 255) {
                throw check.invalid("exit", "must be an exit code from 0 to 255");
            }
            long delay = check.integer("delay_ms", 0);
            if (delay < 0 || delay > 3_600_000) {
                throw check.invalid("delay_ms", "must be 0 to 3600000");
            }
            long settle = check.integer("settle_runs", 0);
            if (settle < 0 || settle > 1_000_000) {
                throw check.invalid("settle_runs", "must be 0 to 1000000");
            }
            commands.put(name, new Canned((int) exit, check.string("output", "OK"), delay, settle, new AtomicLong()));
            check.requireAllRead();
        }
    }

    @Override
    public String name() {
        return "sandbox";
    }

    /** Defines or redefines a check, e.g. to make it fail or hang in a test. */
    public void define(String command, int exit, String output, long delayMs) {
        commands.put(command, new Canned(exit, output, delayMs));
    }

    /** Defines a check that reports CRITICAL for its first {@code settleRuns} runs, then {@code exit} and {@code output}. */
    public void defineSettling(String command, long settleRuns, int exit, String output) {
        commands.put(command, new Canned(exit, output, 0, settleRuns, new AtomicLong()));
    }

    @Override
    public Set<String> commands() {
        return Set.copyOf(commands.keySet());
    }

    @Override
    public CheckResult run(String command, Duration timeout) {
        Canned canned = commands.get(command);
        long run = canned.runs().incrementAndGet();
        if (run <= canned.settleRuns()) {
            return CheckResult.parse(command, 2, "CRITICAL - settling: run " + run + " of " + canned.settleRuns() + " before it is ready");
        }
        if (canned.delayMs() > 0) {
            long sleep = Math.min(canned.delayMs(), timeout.toMillis());
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CheckResult.parse(command, 3, "UNKNOWN: interrupted");
            }
            if (canned.delayMs() > timeout.toMillis()) {
                return CheckResult.parse(command, 3, "UNKNOWN: check timed out after " + timeout.toSeconds() + " s");
            }
        }
        return CheckResult.parse(command, canned.exit(), canned.output());
    }
}
