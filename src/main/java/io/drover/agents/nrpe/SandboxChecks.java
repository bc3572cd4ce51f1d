package io.drover.agents.nrpe;

import io.drover.agent.plugin.Settings;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox provider: checks with canned results. Settings: {@code commands}, each
 * {@code name: {exit: 0, output: "OK - ...|perf", delay_ms: 0}}.
 */
public final class SandboxChecks implements CheckRunner {
    private final Map<String, Canned> commands = new ConcurrentHashMap<>();

    private record Canned(int exit, String output, long delayMs) {
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
            commands.put(name, new Canned((int) exit, check.string("output", "OK"), delay));
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

    @Override
    public Set<String> commands() {
        return Set.copyOf(commands.keySet());
    }

    @Override
    public CheckResult run(String command, Duration timeout) {
        Canned canned = commands.get(command);
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
