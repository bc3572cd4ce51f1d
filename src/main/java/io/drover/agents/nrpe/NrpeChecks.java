package io.drover.agents.nrpe;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs the checks defined in an NRPE configuration, each as an argument list without a shell, killed at the
 * plugin timeout. Settings: {@code config} (default {@code /etc/nagios/nrpe.cfg}, with its includes),
 * {@code commands} (name: command line; replaces a definition of the same name from the file) and
 * {@code command_prefix} (runs the plugins through e.g. {@code ip netns exec NS}; the configuration is still
 * read from the agent's own file system). A definition a shell would be needed for is refused at startup.
 */
final class NrpeChecks implements CheckRunner {
    static final String NAME = "nrpe";
    static final String DEFAULT_CONFIG = "/etc/nagios/nrpe.cfg";
    /** The names the agent's {@code command} input accepts; a definition with another name could never run. */
    private static final Pattern CHECK_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    private final CommandRunner runner;
    private final Map<String, List<String>> commands;

    public NrpeChecks(Settings settings) {
        this(runner(settings), definitions(settings));
    }

    NrpeChecks(CommandRunner runner, Map<String, List<String>> commands) {
        this.runner = runner;
        this.commands = Map.copyOf(commands);
    }

    /** Detection for {@code provider: auto}: the NRPE configuration file exists. */
    static boolean detect(Settings settings) {
        return Files.isRegularFile(settings.path("config", DEFAULT_CONFIG));
    }

    private static CommandRunner runner(Settings settings) {
        // Every run passes the plugin timeout (the agent's `timeout` setting); this default is never used.
        return new ProcessCommandRunner(settings.strings("command_prefix"), Duration.ofHours(1),
                ProcessCommandRunner.DEFAULT_OUTPUT_LIMIT);
    }

    /** The definitions of the config file and its includes, then the inline ones, each split and checked. */
    static Map<String, List<String>> definitions(Settings settings) {
        boolean configSet = settings.has("config");
        Path config = settings.path("config", DEFAULT_CONFIG);
        Map<String, Object> inline = settings.map("commands");
        Map<String, NrpeConfig.Definition> definitions = new LinkedHashMap<>();
        // Without an explicit config, inline commands alone are enough; a config that is named must exist.
        if (configSet || inline.isEmpty() || Files.exists(config)) {
            definitions.putAll(NrpeConfig.read(config));
        }
        for (Map.Entry<String, Object> entry : inline.entrySet()) {
            if (!(entry.getValue() instanceof String line)) {
                throw settings.invalid("commands", entry.getKey() + " must be a command line, e.g. "
                        + "/usr/lib/nagios/plugins/check_load -w 15,10,5 -c 30,25,20; got " + entry.getValue());
            }
            definitions.put(entry.getKey(), new NrpeConfig.Definition(entry.getKey(), line,
                    settings.where() + ".commands"));
        }
        if (definitions.isEmpty()) {
            throw new ConfigException("no NRPE commands defined in " + config + " (or its includes) nor in "
                    + settings.where() + ".commands; define checks as command[NAME]=COMMAND LINE");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (NrpeConfig.Definition definition : definitions.values()) {
            out.put(definition.name(), arguments(definition));
        }
        return out;
    }

    private static List<String> arguments(NrpeConfig.Definition definition) {
        if (!CHECK_NAME.matcher(definition.name()).matches()) {
            throw new ConfigException("NRPE command name '" + definition.name() + "' (" + definition.origin()
                    + ") cannot be requested; use letters, digits and _ . - (at most 64, not starting with . or -)");
        }
        try {
            return CommandLine.split(definition.line());
        } catch (CommandLine.RefusedException e) {
            throw new ConfigException("NRPE command " + definition.name() + " (" + definition.origin() + ") cannot run"
                    + " without a shell: " + e.getMessage() + ". NRPE runs command lines through /bin/sh, Drover runs"
                    + " them as plain argument lists; put shell logic in a script and define the command as that script");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> commands() {
        return commands.keySet();
    }

    /** The argument list a check runs as. */
    List<String> arguments(String command) {
        return commands.get(command);
    }

    @Override
    public CheckResult run(String command, Duration timeout) throws ActionFailedException {
        List<String> args = commands.get(command);
        if (args == null) {
            throw new ActionFailedException("no check " + command + " is defined on this node");
        }
        CommandResult result;
        try {
            result = runner.run(new Command(args, Map.of(), timeout));
        } catch (ActionFailedException e) {
            // The plugin could not be started (missing, not executable): UNKNOWN, as NRPE reports it.
            return CheckResult.parse(command, 3, "UNKNOWN: " + e.getMessage());
        }
        if (result.timedOut()) {
            return CheckResult.parse(command, 3, "UNKNOWN: check timed out after " + seconds(timeout) + " s and was killed");
        }
        // Plugins answer on stdout; stderr only stands in when a broken plugin printed nothing else.
        String output = result.stdout().isBlank() ? result.stderr() : result.stdout();
        return CheckResult.parse(command, result.exitCode(), output.isBlank() ? "(no output from the check)" : output);
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? String.valueOf(timeout.toSeconds())
                : String.valueOf(timeout.toMillis() / 1000.0);
    }
}
