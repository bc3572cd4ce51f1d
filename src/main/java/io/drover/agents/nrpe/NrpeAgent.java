package io.drover.agents.nrpe;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.Input;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Providers;
import io.drover.agent.plugin.Settings;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * The {@code nrpe} agent: runs Nagios checks defined in the node's configuration. The reply is OK only when
 * the check is OK; WARNING, CRITICAL and UNKNOWN come back as status 1 with the check's output.
 */
public final class NrpeAgent implements AgentPlugin {
    static final Input COMMAND = Input.string("command").required().maxLength(64)
            .matching("[A-Za-z0-9_][A-Za-z0-9_.-]*", "check_load")
            .describedAs("name of a check defined on the node");

    private final CheckRunner runner;
    private final Duration timeout;
    private final List<Action> actions;

    public NrpeAgent(CheckRunner runner, Duration timeout) {
        this.runner = runner;
        this.timeout = timeout;
        this.actions = List.of(
                Action.named("run_command", "Run a check defined on the node").input(COMMAND
                                .convertedBy(this::requireDefined))
                        .output("exitcode", "plugin exit code").output("state", "OK, WARNING, CRITICAL or UNKNOWN")
                        .output("output", "plugin text").output("perfdata", "performance data")
                        .handledBy(inputs -> {
                            CheckResult result = runner.run(inputs.string("command"), this.timeout);
                            String message = result.state() + ": " + result.output();
                            if (result.state() != CheckState.OK) {
                                throw new ActionFailedException(message, result.toData());
                            }
                            return ActionResult.of(message, result.toData());
                        }));
    }

    /** An undefined check is invalid input, refused before anything runs. */
    private String requireDefined(String command) {
        if (!runner.commands().contains(command)) {
            throw new IllegalArgumentException("no check of that name is defined on this node (defined: "
                    + String.join(", ", new TreeSet<>(runner.commands())) + ")");
        }
        return command;
    }

    @Override
    public String name() {
        return "nrpe";
    }

    @Override
    public String description() {
        return "Run Nagios checks defined on the node";
    }

    @Override
    public List<Action> actions() {
        return actions;
    }

    @Override
    public boolean serialized() {
        return false;
    }

    @Override
    public String provider() {
        return runner.name();
    }

    public CheckRunner checks() {
        return runner;
    }

    /** The providers this plugin can use. */
    static final Providers<CheckRunner> PROVIDERS = Providers.<CheckRunner>of("nrpe")
            .with("sandbox", SandboxChecks::new)
            .detected(NrpeChecks.NAME, NrpeChecks::detect, NrpeChecks::new);

    /** Creates the plugin with the provider named by {@code agents.nrpe.provider}. */
    public static final class Factory implements PluginFactory {
        @Override
        public String name() {
            return "nrpe";
        }

        @Override
        public AgentPlugin create(Settings settings, NodeContext node) {
            long timeoutSeconds = settings.integer("timeout", 10);
            if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
                throw settings.invalid("timeout", "must be 1 to 3600 seconds");
            }
            return new NrpeAgent(PROVIDERS.create(settings), Duration.ofSeconds(timeoutSeconds));
        }
    }
}
