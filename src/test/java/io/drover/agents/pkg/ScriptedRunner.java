package io.drover.agents.pkg;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link CommandRunner} for unit tests: records every command and answers with scripted results, in order.
 * A command with no scripted answer fails the test, so no unexpected command goes unnoticed.
 */
final class ScriptedRunner implements CommandRunner {
    private final Deque<Answer> answers = new ArrayDeque<>();
    private final List<Command> commands = new ArrayList<>();
    private final List<String> prefix;

    ScriptedRunner() {
        this(List.of());
    }

    /** A runner with a command prefix, as for commands run in another namespace. */
    ScriptedRunner(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    private record Answer(int exitCode, String stdout, String stderr) {
    }

    /** The next command exits 0 and prints {@code stdout}. */
    ScriptedRunner ok(String stdout) {
        answers.add(new Answer(0, stdout, ""));
        return this;
    }

    /** The next command exits {@code exitCode}. */
    ScriptedRunner fails(int exitCode, String stdout, String stderr) {
        answers.add(new Answer(exitCode, stdout, stderr));
        return this;
    }

    @Override
    public CommandResult run(Command command) {
        commands.add(command);
        Answer answer = answers.poll();
        if (answer == null) {
            throw new AssertionError("unexpected command: " + command.display());
        }
        return new CommandResult(command.args(), answer.exitCode(), answer.stdout(), answer.stderr(), false, false, Duration.ofMillis(3));
    }

    @Override
    public List<String> prefix() {
        return prefix;
    }

    /** The argument lists run so far. */
    List<List<String>> args() {
        return commands.stream().map(Command::args).toList();
    }

    List<Command> commands() {
        return commands;
    }

    /** True when every scripted answer was used. */
    boolean done() {
        return answers.isEmpty();
    }
}
