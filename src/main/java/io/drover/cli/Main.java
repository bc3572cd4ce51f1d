package io.drover.cli;

import io.drover.agent.AgentVersion;
import io.drover.protocol.Names;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The {@code drover} command. Subcommands are registered in {@link #commandLine}: a new command is one class
 * (a picocli {@code @Command}) and one line there; help, completion and exit codes come with it.
 */
@Command(name = "drover", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Talks to a Drover fleet without a feature file, runs agents and sets up keys and brokers.",
        footer = "%n'drover COMMAND --help' tells more; 'drover completion' prints bash completion.")
public final class Main implements Callable<Integer> {
    @Spec
    private CommandSpec spec;
    private final PrintStream out;

    private Main(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return execute(commandLine(out, err), args);
    }

    /** Runs {@code command} (made by {@link #configure}) with {@code args}; returns the exit code once all is printed. */
    static int execute(CommandLine command, String[] args) {
        try {
            return command.execute(args);
        } finally {
            // Picocli prints help through buffered writers; main() calls System.exit next.
            command.getOut().flush();
            command.getErr().flush();
        }
    }

    /** The whole command tree, printing to {@code out} and {@code err}. */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine drover = new CommandLine(new Main(out));
        drover.addSubcommand(new PingCommand(out, err));
        drover.addSubcommand(new DiscoverCommand(out, err));
        drover.addSubcommand(new InventoryCommand(out, err));
        RpcCommand rpc = new RpcCommand(out, err);
        drover.addSubcommand(rpc);
        drover.addSubcommand(new AgentsCommand(out));
        drover.addSubcommand(new RegistryCommand(out, err));
        drover.addSubcommand(new AgentCommand());
        drover.addSubcommand(new KeysCommand(out, err));
        drover.addSubcommand(new EmulateCommand(out));
        drover.addSubcommand(BrokerSetupCommand.group(BrokerSetupCommand.forThisMachine(out, err)));
        drover.addSubcommand(new CompletionCommand(out));
        drover.addSubcommand(new CommandLine.HelpCommand());
        rpc.describeAgents(drover.getSubcommands().get("rpc"));
        drover.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.descriptions());
        return configure(drover, out, err);
    }

    /**
     * Sets what every drover command shares: where it prints, last value wins for a repeated option, and how
     * failures are printed and turned into exit codes ({@link ExitCodes}, the only mapping).
     */
    static CommandLine configure(CommandLine command, PrintStream out, PrintStream err) {
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        command.setOverwrittenOptionsAllowed(true);
        command.setParameterExceptionHandler((failure, args) -> {
            CommandLine where = failure.getCommandLine();
            err.print(prefix(where) + message(failure) + "\n");
            err.print(where.getUsageMessage());
            err.flush();
            return ExitCodes.USAGE;
        });
        command.setExecutionExceptionHandler((failure, where, parsed) -> {
            err.println(prefix(where) + (failure.getMessage() == null ? failure.toString() : failure.getMessage()));
            err.flush();
            return ExitCodes.of(failure);
        });
        // drover agent hands its arguments to the agent's own parser, options included.
        CommandLine agent = command.getSubcommands().get("agent");
        if (agent != null) {
            agent.setUnmatchedOptionsArePositionalParams(true);
        }
        return command;
    }

    /** {@code "drover ping: "}: messages name the command a user typed, not its sub-subcommand. */
    private static String prefix(CommandLine where) {
        CommandLine top = where;
        while (top.getParent() != null && !(top.getParent().getCommand() instanceof Main)) {
            top = top.getParent();
        }
        return top.getCommand() instanceof Main ? "drover: " : "drover " + top.getCommandName() + ": ";
    }

    /** Picocli's message for a usage mistake, in the words drover has always used where it had its own. */
    static String message(CommandLine.ParameterException failure) {
        if (failure instanceof CommandLine.MissingParameterException missing && !missing.getMissing().isEmpty()
                && missing.getMissing().get(0) instanceof CommandLine.Model.OptionSpec option) {
            return option.longestName() + (failure.getMessage().startsWith("Missing required option") ? " is required" : " needs a value");
        }
        if (failure instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = Names.printable(unmatched.getUnmatched().get(0));
            if (first.startsWith("-")) {
                return "unknown option " + first;
            }
            return (unmatched.getCommandLine().getCommand() instanceof Main ? "unknown command '" : "unexpected argument '") + first + "'";
        }
        // Picocli quotes what was typed: keep a hostile value from driving the terminal.
        return Names.printable(failure.getMessage(), 500);
    }

    @Override
    public Integer call() {
        out.print(spec.commandLine().getUsageMessage());
        out.flush();
        return ExitCodes.USAGE;
    }

    /** {@code drover --version}: the version in the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"drover " + AgentVersion.current()};
        }
    }
}
