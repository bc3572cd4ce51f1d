package io.drover.cli;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.protocol.Names;
import io.drover.transport.BrokerPermissions;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code drover broker setup}: applies Drover's least-privilege permission scheme to a RabbitMQ vhost through
 * {@code rabbitmqctl} (argument lists, never a shell). Idempotent: creates only the vhost and users that are
 * missing, and sets every permission entry again. Exit codes: 0 done, 1 rabbitmqctl failed, 2 bad usage.
 */
@CommandLine.Command(name = "setup", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Least-privilege RabbitMQ users and permissions for runners and nodes, through rabbitmqctl.",
        footer = {"%nUsers it creates have no password: set one with 'rabbitmqctl change_password USER' (it prompts),",
                "or use client certificates. Permissions are explained in docs/security.md, \"Broker permissions\"."})
final class BrokerSetupCommand implements Callable<Integer> {
    private static final int MAX_NODES = 100_000;
    private static final String HIDDEN = "***";
    private static final java.util.regex.Pattern RABBIT_NODE = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.@-]{0,254}");

    private final CommandRunner runner;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;
    @Spec
    private CommandSpec spec;

    @Option(names = "--collective", paramLabel = "C[,C...]", description = "collectives the users work in (default drover)")
    private List<String> collectiveOptions = new ArrayList<>();
    @Option(names = "--vhost", paramLabel = "V", description = "RabbitMQ vhost (default /; created when missing)")
    private String vhostOption;
    @Option(names = "--runner", paramLabel = "USER", description = "a runner's broker user (repeatable)")
    private List<String> runnerOptions = new ArrayList<>();
    @Option(names = "--node", paramLabel = "ID[,ID...]", description = "nodes; each gets a broker user named like its identity (repeatable)")
    private List<String> nodeOptions = new ArrayList<>();
    @Option(names = "--nodes-file", paramLabel = "FILE", description = "more node identities, one a line (# comments)")
    private Path nodesFile;
    @Option(names = "--rabbitmqctl", paramLabel = "PATH", description = "the rabbitmqctl to run (default rabbitmqctl)")
    private String rabbitmqctl;
    @Option(names = {"-n", "--rabbit-node"}, paramLabel = "NODE", description = "the RabbitMQ node to configure (rabbitmqctl -n)")
    private String rabbitNode;
    @Option(names = "--dry-run", description = "print the rabbitmqctl commands instead of running them")
    private boolean dryRun;

    /**
     * @param environment variables rabbitmqctl needs from the caller's environment ({@code HOME}, where the Erlang
     *                    cookie is); commands start with nothing else
     */
    BrokerSetupCommand(CommandRunner runner, Map<String, String> environment, PrintStream out, PrintStream err) {
        this.runner = runner;
        this.environment = Map.copyOf(environment);
        this.out = out;
        this.err = err;
    }

    /** The command as {@code drover broker setup} runs it here: the real rabbitmqctl, with this user's HOME. */
    static BrokerSetupCommand forThisMachine(PrintStream out, PrintStream err) {
        String home = System.getenv("HOME");
        return new BrokerSetupCommand(new ProcessCommandRunner(List.of(), Duration.ofSeconds(120), 64 * 1024),
                home == null ? Map.of() : Map.of("HOME", home), out, err);
    }

    /** {@code drover broker}, holding {@code setup}. */
    @CommandLine.Command(name = "broker", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "setup",
            description = "Set up a RabbitMQ broker for Drover.")
    static final class Group implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "say setup");
        }
    }

    static CommandLine group(BrokerSetupCommand setup) {
        return new CommandLine(new Group()).addSubcommand(setup);
    }

    /** Runs {@code drover broker ARGS} ({@code setup ...}); returns the exit code. */
    int main(String[] args) {
        return Main.execute(Main.configure(group(this), out, err), args);
    }

    @Override
    public Integer call() throws ActionFailedException {
        Plan plan = plan();
        return dryRun ? dryRun(plan) : apply(plan);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** What to apply: the vhost, the users and their permissions, and how to reach rabbitmqctl. */
    record Plan(List<String> rabbitmqctl, String vhost, List<BrokerPermissions> users) {
    }

    private Plan plan() {
        List<String> collectives = split(collectiveOptions);
        if (collectives.isEmpty()) {
            collectives = List.of(Names.DEFAULT_COLLECTIVE);
        }
        String vhost = vhostOption == null ? "/" : vhostOption;
        // A value starting with - would reach rabbitmqctl as an option of its own.
        if (vhost.isEmpty() || vhost.length() > 255 || vhost.startsWith("-") || vhost.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw usage("--vhost must be 1 to 255 printable characters, not starting with -");
        }
        Set<String> nodes = new LinkedHashSet<>(split(nodeOptions));
        if (nodesFile != null) {
            nodes.addAll(readNodes(nodesFile));
        }
        List<String> runners = split(runnerOptions);
        if (runners.isEmpty() && nodes.isEmpty()) {
            throw usage("give at least one --runner USER or --node IDENTITY");
        }
        List<BrokerPermissions> users = new ArrayList<>();
        for (String user : runners) {
            if (nodes.contains(user)) {
                throw usage("'" + user + "' is given both as a runner and as a node; a user is one or the other");
            }
            users.add(BrokerPermissions.runner(user, collectives));
        }
        for (String node : nodes) {
            users.add(BrokerPermissions.node(node, collectives));
        }
        List<String> ctl = new ArrayList<>();
        ctl.add(rabbitmqctl == null ? "rabbitmqctl" : rabbitmqctl);
        if (rabbitNode != null) {
            if (!RABBIT_NODE.matcher(rabbitNode).matches()) {
                throw usage("-n takes a RabbitMQ node name such as rabbit@broker1");
            }
            ctl.add("-n");
            ctl.add(rabbitNode);
        }
        return new Plan(List.copyOf(ctl), vhost, List.copyOf(users));
    }

    private static List<String> split(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }

    private List<String> readNodes(Path file) {
        try {
            if (Files.size(file) > 16L * 1024 * 1024) {
                throw usage("--nodes-file " + file + " is larger than 16 MiB; is it the right file?");
            }
            List<String> nodes = Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
            if (nodes.size() > MAX_NODES) {
                throw usage("--nodes-file " + file + " names more than " + MAX_NODES + " nodes");
            }
            return nodes;
        } catch (IOException e) {
            throw usage("cannot read --nodes-file " + file + ": " + e.getMessage());
        }
    }

    private int dryRun(Plan plan) {
        out.println("# drover broker setup --dry-run: nothing is run. The vhost and users are created only when missing.");
        out.println(Command.of(args(plan, List.of("add_vhost", plan.vhost()))).display());
        for (BrokerPermissions user : plan.users()) {
            out.println(Command.of(args(plan, List.of("add_user", user.user(), HIDDEN))).display() + "   # a random password, cleared at once:");
            out.println(Command.of(args(plan, List.of("clear_password", user.user()))).display());
        }
        for (BrokerPermissions user : plan.users()) {
            for (List<String> command : user.rabbitmqctlArguments(plan.vhost())) {
                out.println(Command.of(args(plan, command)).display());
            }
        }
        return 0;
    }

    private int apply(Plan plan) throws ActionFailedException {
        if (!firstColumn(plan, List.of("list_vhosts", "name")).contains(plan.vhost())) {
            ctl(plan, List.of("add_vhost", plan.vhost()), null);
        }
        Set<String> existing = firstColumn(plan, List.of("list_users"));
        int created = 0;
        for (BrokerPermissions user : plan.users()) {
            if (!existing.contains(user.user())) {
                // rabbitmqctl wants a password; a random one, never shown and cleared at once, leaves the user
                // unable to log in until the operator sets a password of their own.
                ctl(plan, List.of("add_user", user.user(), randomPassword()), 2);
                ctl(plan, List.of("clear_password", user.user()), null);
                created++;
            }
        }
        for (BrokerPermissions user : plan.users()) {
            for (List<String> command : user.rabbitmqctlArguments(plan.vhost())) {
                ctl(plan, command, null);
            }
        }
        out.println("drover broker: vhost " + plan.vhost() + ": permissions set for " + plan.users().size() + " user"
                + (plan.users().size() == 1 ? "" : "s") + " (" + created + " created)");
        if (created > 0) {
            out.println("drover broker: new users have no password yet: rabbitmqctl change_password USER (it prompts), "
                    + "or authenticate them with client certificates");
        }
        return 0;
    }

    /** The first column of a listing, e.g. the user names of {@code list_users}. */
    private Set<String> firstColumn(Plan plan, List<String> command) throws ActionFailedException {
        CommandResult result = ctl(plan, command, null);
        Set<String> names = new LinkedHashSet<>();
        result.stdout().lines().map(line -> line.split("\t", 2)[0].strip()).filter(s -> !s.isEmpty()).forEach(names::add);
        return names;
    }

    /** Runs one rabbitmqctl command; {@code hide} is the index of an argument never to print (a password), or null. */
    private CommandResult ctl(Plan plan, List<String> command, Integer hide) throws ActionFailedException {
        List<String> shown = new ArrayList<>(command);
        if (hide != null) {
            shown.set(hide, HIDDEN);
        }
        String display = Command.of(args(plan, shown)).display();
        Command run = Command.of(args(plan, command));
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            run = run.withEnvironment(variable.getKey(), variable.getValue());
        }
        CommandResult result;
        try {
            result = runner.run(run);
        } catch (ActionFailedException e) {
            // its message would repeat the arguments, password included
            throw new ActionFailedException("cannot start `" + display + "`: is RabbitMQ installed here? Give the path of "
                    + "rabbitmqctl with --rabbitmqctl");
        }
        if (!result.succeeded()) {
            String said = (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip();
            if (hide != null) {
                said = said.replace(command.get(hide), HIDDEN);
            }
            throw new ActionFailedException("`" + display + "` " + (result.timedOut() ? "timed out" : "exited " + result.exitCode())
                    + (said.isEmpty() ? "" : ": " + said.lines().limit(5).reduce((a, b) -> a + " / " + b).orElse(""))
                    + "; is the RabbitMQ node running, and may this user run rabbitmqctl (its Erlang cookie)?");
        }
        out.println("ok: " + display);
        return result;
    }

    private static List<String> args(Plan plan, List<String> command) {
        List<String> all = new ArrayList<>(plan.rabbitmqctl());
        all.add("--silent");
        all.addAll(command);
        return all;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
