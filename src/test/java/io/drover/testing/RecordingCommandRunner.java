package io.drover.testing;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CommandRunner} that starts nothing: it records each command and answers from a script. Answers for
 * one command are used in order, the last one again and again; a command with no answer exits 0 silently.
 */
public final class RecordingCommandRunner implements CommandRunner {
    private final List<List<String>> commands = new ArrayList<>();
    private final Map<List<String>, Deque<Answer>> answers = new HashMap<>();

    private record Answer(int exitCode, String stdout, String stderr) {
    }

    /** {@code command} split on spaces, for commands whose arguments have none. */
    public static List<String> words(String command) {
        return Arrays.asList(command.split(" "));
    }

    /** Answers {@code command} (split on spaces) next with this exit code and output. */
    public RecordingCommandRunner answer(String command, int exitCode, String stdout, String stderr) {
        return answer(words(command), exitCode, stdout, stderr);
    }

    public RecordingCommandRunner answer(List<String> command, int exitCode, String stdout, String stderr) {
        answers.computeIfAbsent(List.copyOf(command), key -> new ArrayDeque<>()).add(new Answer(exitCode, stdout, stderr));
        return this;
    }

    @Override
    public synchronized CommandResult run(Command command) {
        commands.add(command.args());
        Deque<Answer> queue = answers.get(command.args());
        Answer answer = queue == null ? new Answer(0, "", "") : queue.size() > 1 ? queue.poll() : queue.peek();
        return new CommandResult(command.args(), answer.exitCode(), answer.stdout(), answer.stderr(), false, false, Duration.ZERO);
    }

    @Override
    public List<String> prefix() {
        return List.of();
    }

    /** The exact argument lists run since the last call. */
    public synchronized List<List<String>> take() {
        List<List<String>> taken = List.copyOf(commands);
        commands.clear();
        return taken;
    }
}
