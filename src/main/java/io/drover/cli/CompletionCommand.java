package io.drover.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/** {@code drover completion}: a bash (and zsh) completion script for every command and option, from the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash completion script for drover.",
                "Load it with: source <(drover completion), or save it in /etc/bash_completion.d/drover."})
final class CompletionCommand implements Callable<Integer> {
    private final PrintStream out;
    @Spec
    private CommandSpec spec;

    CompletionCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        out.print(AutoComplete.bash("drover", spec.root().commandLine()));
        out.flush();
        return ExitCodes.OK;
    }
}
