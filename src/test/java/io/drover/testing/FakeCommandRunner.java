package io.drover.testing;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CommandRunner} that starts nothing: it records every command and answers from a script keyed by
 * the argument list (as {@link Command#display()} shows it). Several answers for one command are given in
 * turn, the last one repeating; a command without an answer fails the test.
 */
public final class FakeCommandRunner implements CommandRunner {
    private final List<String> prefix;
    private final Map<String, Deque<CommandResult>> answers = new HashMap<>();
    private final List<Command> commands = new ArrayList<>();

    public FakeCommandRunner() {
        this(List.of());
    }

    public FakeCommandRunner(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** Answers {@code command} (e.g. {@code systemctl start httpd.service}) with an exit code and output. */
    public FakeCommandRunner answer(String command, int exitCode, String stdout) {
        return answer(command, exitCode, stdout, "");
    }

    public FakeCommandRunner answer(String command, int exitCode, String stdout, String stderr) {
        return answer(command, new CommandResult(List.of(command.split(" ")), exitCode, stdout, stderr, false, false,
                Duration.ofMillis(5)));
    }

    /** Answers {@code command} as a command that ran past its timeout and was killed. */
    public FakeCommandRunner timeOut(String command, Duration after) {
        return answer(command, new CommandResult(List.of(command.split(" ")), -1, "", "", true, false, after));
    }

    private FakeCommandRunner answer(String command, CommandResult result) {
        answers.computeIfAbsent(command, key -> new ArrayDeque<>()).add(result);
        return this;
    }

    @Override
    public synchronized CommandResult run(Command command) {
        commands.add(command);
        String key = command.display();
        Deque<CommandResult> queue = answers.get(key);
        if (queue == null) {
            throw new AssertionError("unexpected command `" + key + "`; scripted: " + answers.keySet());
        }
        return queue.size() > 1 ? queue.poll() : queue.peek();
    }

    /** The commands run so far, as displayed, prefix excluded. */
    public synchronized List<String> commands() {
        return commands.stream().map(Command::display).toList();
    }

    /** The commands run so far. */
    public synchronized List<Command> runs() {
        return List.copyOf(commands);
    }

    @Override
    public List<String> prefix() {
        return prefix;
    }
}
