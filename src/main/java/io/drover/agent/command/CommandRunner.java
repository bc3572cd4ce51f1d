package io.drover.agent.command;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;

import java.time.Duration;
import java.util.List;

/**
 * Runs the commands of providers. The default, {@link ProcessCommandRunner}, starts processes from argument
 * lists (never a shell), with a minimal environment, no stdin, a timeout that kills the whole process tree,
 * and captured, capped output. A command prefix (e.g. {@code ip netns exec NS}, {@code nsenter -t PID -a})
 * aims every command at another namespace or container.
 */
public interface CommandRunner {
    /**
     * Runs a command to its end or its timeout. A non-zero exit is a result, not an exception.
     *
     * @throws ActionFailedException when the program cannot be started at all
     */
    CommandResult run(Command command) throws ActionFailedException;

    /** Runs a command and fails with its {@link CommandResult#describe()} unless it exited 0. */
    default CommandResult check(Command command) throws ActionFailedException {
        CommandResult result = run(command);
        if (!result.succeeded()) {
            throw new ActionFailedException(result.describe(), java.util.Map.of("exitcode", result.exitCode()));
        }
        return result;
    }

    /** The prefix put before every command, possibly empty. */
    List<String> prefix();

    /**
     * A runner from a provider's settings: {@code command_prefix} (list) and {@code command_timeout} (seconds,
     * default {@code defaultTimeoutSeconds}).
     */
    static CommandRunner fromSettings(Settings settings, long defaultTimeoutSeconds) {
        List<String> prefix = settings.strings("command_prefix");
        long timeout = settings.integer("command_timeout", defaultTimeoutSeconds);
        if (timeout < 1 || timeout > 86_400) {
            throw settings.invalid("command_timeout", "must be 1 to 86400 seconds");
        }
        return new ProcessCommandRunner(prefix, Duration.ofSeconds(timeout), ProcessCommandRunner.DEFAULT_OUTPUT_LIMIT);
    }
}
