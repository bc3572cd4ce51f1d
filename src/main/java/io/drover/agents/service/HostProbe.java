package io.drover.agents.service;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Looks at the host the provider's commands act on, for provider detection. Without a command prefix that
 * is the agent's own host, checked in-process. With one (e.g. {@code nsenter -t PID -a}) the commands act on
 * another root, so the look goes through the prefix too: the agent's host may run systemd while the
 * container does not, or the other way round.
 */
final class HostProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private HostProbe() {
    }

    /** Whether {@code path} is a directory on the target host; a prefix that does not work is a config error. */
    static boolean isDirectory(CommandRunner runner, String path) {
        if (runner.prefix().isEmpty()) {
            return Files.isDirectory(Path.of(path));
        }
        CommandResult result;
        try {
            result = runner.run(Command.of("test", "-d", path).withTimeout(TIMEOUT));
        } catch (ActionFailedException e) {
            throw new ConfigException("cannot look for " + path + " through command_prefix " + runner.prefix() + ": "
                    + e.getMessage() + "; fix command_prefix or set provider explicitly");
        }
        if (result.succeeded()) {
            return true;
        }
        // `test` says "no" with exit 1 and no output; anything else is the prefix failing (nsenter: no such
        // process, permission denied, ...), which must not pass for "not this provider".
        if (!result.timedOut() && result.exitCode() == 1 && result.stdout().isBlank() && result.stderr().isBlank()) {
            return false;
        }
        throw new ConfigException("cannot look for " + path + " through command_prefix " + runner.prefix() + ": "
                + result.describe() + "; fix command_prefix or set provider explicitly");
    }
}
