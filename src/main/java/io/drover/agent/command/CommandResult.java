package io.drover.agent.command;

import java.time.Duration;
import java.util.List;

/**
 * What a command did.
 *
 * @param command   the full argument list run, prefix included
 * @param exitCode  exit code; -1 when it timed out and was killed
 * @param stdout    standard output, capped
 * @param stderr    standard error, capped
 * @param timedOut  true when it ran past its timeout and was killed
 * @param truncated true when output beyond the cap was dropped
 * @param elapsed   wall time
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut,
                            boolean truncated, Duration elapsed) {
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /**
     * One line for a failure message: the command, how it ended and the first lines of what it said, e.g.
     * {@code `apt-get install ...` exited 100: E: Version '9' for 'mywebapp' was not found}.
     */
    public String describe() {
        String how = timedOut ? "timed out after " + elapsed.toSeconds() + " s and was killed" : "exited " + exitCode;
        String said = (stderr.isBlank() ? stdout : stderr).strip();
        String[] lines = said.lines().filter(line -> !line.isBlank()).limit(3).toArray(String[]::new);
        String text = String.join(" / ", lines);
        if (text.length() > 400) {
            text = text.substring(0, 397) + "...";
        }
        return "`" + Command.display(command) + "` " + how + (text.isEmpty() ? "" : ": " + text);
    }
}
