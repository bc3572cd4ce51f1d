package io.drover.cli;

import io.drover.client.ProgressListener;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows how a long call is going on a terminal, rewriting one line; prints nothing when the output is not a
 * terminal (CI logs get no carriage-return spam).
 */
final class Progress implements ProgressListener {
    private final String what;
    private final PrintStream out;
    private final boolean terminal;
    private boolean shown;

    Progress(String what, PrintStream out, boolean terminal) {
        this.what = what;
        this.out = out;
        this.terminal = terminal;
    }

    static Progress onStderr(String what) {
        return new Progress(what, System.err, System.console() != null);
    }

    @Override
    public void progress(int replied, int expected, int failed, Duration elapsed) {
        if (!terminal) {
            return;
        }
        out.print("\r" + what + ": " + replied + "/" + (expected < 0 ? "?" : expected) + " answered, " + failed + " failed, "
                + elapsed.toSeconds() + " s   ");
        out.flush();
        shown = true;
    }

    /** Clears the progress line before the result is printed. */
    void done() {
        if (shown) {
            out.print("\r" + " ".repeat(what.length() + 60) + "\r");
            out.flush();
        }
    }
}
