package io.drover.agents.nrpe;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Actions;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.ProviderPlugin;
import io.drover.agent.plugin.ProviderPluginFactory;
import io.drover.agent.plugin.Providers;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.CheckState;

import java.time.Duration;
import java.util.TreeSet;

import static io.drover.catalog.NrpeCatalog.CATALOG;
import static io.drover.catalog.NrpeCatalog.COMMAND;
import static io.drover.catalog.NrpeCatalog.RUN_COMMAND;

/**
 * The {@code nrpe} agent: runs Nagios checks defined in the node's configuration. The reply is OK only when
 * the check is OK; WARNING, CRITICAL and UNKNOWN come back as status 1 with the check's output.
 */
public final class NrpeAgent extends ProviderPlugin<CheckRunner> {
    public NrpeAgent(CheckRunner runner, Duration timeout) {
        super(runner, Actions.of(CATALOG)
                .checking(RUN_COMMAND, COMMAND, command -> requireDefined(runner, command))
                .readOnly(RUN_COMMAND, inputs -> {
                    CheckResult result = runner.run(inputs.string(COMMAND), timeout);
                    String message = result.state() + ": " + result.output();
                    if (result.state() != CheckState.OK) {
                        throw new ActionFailedException(message, result.toData());
                    }
                    return ActionResult.of(message, result.toData());
                }));
    }

    /** An undefined check is invalid input, refused before anything runs. */
    private static String requireDefined(CheckRunner runner, String command) {
        if (!runner.commands().contains(command)) {
            throw new IllegalArgumentException("no check of that name is defined on this node (defined: "
                    + String.join(", ", new TreeSet<>(runner.commands())) + ")");
        }
        return command;
    }

    @Override
    public boolean serialized() {
        return false;
    }

    public CheckRunner checks() {
        return provided();
    }

    /** The providers this plugin can use. */
    static final Providers<CheckRunner> PROVIDERS = Providers.<CheckRunner>of(CATALOG.name())
            .with("sandbox", SandboxChecks::new)
            .detected(NrpeChecks.NAME, NrpeChecks::detect, NrpeChecks::new);

    /** Creates the plugin with the provider named by {@code agents.nrpe.provider}. */
    public static final class Factory extends ProviderPluginFactory<CheckRunner> {
        public Factory() {
            super(CATALOG.name(), PROVIDERS, Factory::withTimeout);
        }

        private static AgentPlugin withTimeout(CheckRunner runner, Settings settings) {
            long timeoutSeconds = settings.integer("timeout", 10);
            if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
                throw settings.invalid("timeout", "must be 1 to 3600 seconds");
            }
            return new NrpeAgent(runner, Duration.ofSeconds(timeoutSeconds));
        }
    }
}
