package io.drover.cli;

import io.drover.client.DiscoveryOptions;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.runner.Constants;
import io.drover.runner.RunnerConfig;
import io.drover.transport.BrokerSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The options every command that talks to a fleet shares (a picocli mixin): where the broker is, who signs,
 * which hosts (the same filters as the steps), how long to wait, and how to print. Unset options fall back to
 * the runner's settings ({@code -Ddrover.broker}, {@code DROVER_BROKER}, ...).
 */
final class FleetOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--broker", paramLabel = "URI", description = "broker (default: DROVER_BROKER / -Ddrover.broker)")
    private String broker;
    @Option(names = "--collective", paramLabel = "NAME", description = "collective (default drover)")
    private String collective;
    @Option(names = "--key", paramLabel = "FILE", description = "sign with this caller key (default: DROVER_KEY / -Ddrover.key)")
    private String key;
    @Option(names = "--issuer", paramLabel = "FILE", description = {"accept only replies of nodes enrolled by this issuer "
            + "(ISSUER.pub; default: DROVER_ISSUER / -Ddrover.issuer; required with a broker)"})
    private String issuer;
    @Option(names = "--class", paramLabel = "CLASS", description = "hosts with this class (repeatable; filters combine with 'and')")
    private List<String> classes = new ArrayList<>();
    @Option(names = "--fact", paramLabel = "FACT", description = "hosts with this fact, e.g. country=de (repeatable)")
    private List<String> facts = new ArrayList<>();
    @Option(names = "--identity", paramLabel = "ID", description = "the host of this identity, or /regex/ (repeatable)")
    private List<String> identities = new ArrayList<>();
    @Option(names = "--agent", paramLabel = "AGENT", description = "hosts running this agent (repeatable)")
    private List<String> agents = new ArrayList<>();
    @Option(names = "--where", paramLabel = "EXPR", description = "hosts matching a filter expression, as the steps take it (repeatable)")
    private List<String> wheres = new ArrayList<>();
    @Option(names = "--expect", paramLabel = "N", description = "exactly N hosts must answer discovery")
    private String expect;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "time to wait for every reply (default 60)")
    private String timeout;
    @Option(names = "--discovery-timeout", paramLabel = "SECONDS", description = "cap on discovery (default 2)")
    private String discoveryTimeout;
    @Option(names = "--json", description = "machine-readable output")
    private boolean json;

    /** Set by {@code drover rpc --dry-run}; the only command whose requests may change a host. */
    private boolean dryRun;

    boolean json() {
        return json;
    }

    void dryRun(boolean value) {
        dryRun = value;
    }

    boolean dryRun() {
        return dryRun;
    }

    /** The runner configuration: these options first, then system properties, then the environment. */
    RunnerConfig config() {
        Map<String, String> overrides = new HashMap<>();
        put(overrides, broker, Constants.BROKER_PROPERTY_NAME);
        put(overrides, collective, Constants.COLLECTIVE_PROPERTY_NAME);
        put(overrides, key, Constants.KEY_PROPERTY_NAME);
        put(overrides, issuer, Constants.ISSUER_PROPERTY_NAME);
        put(overrides, timeout, Constants.STEP_TIMEOUT_PROPERTY_NAME);
        put(overrides, discoveryTimeout, Constants.DISCOVERY_TIMEOUT_PROPERTY_NAME);
        put(overrides, dryRun ? "true" : null, Constants.DRY_RUN_PROPERTY_NAME);
        return RunnerConfig.read(name -> overrides.containsKey(name) ? overrides.get(name) : System.getProperty(name), System::getenv);
    }

    private static void put(Map<String, String> overrides, String value, String property) {
        if (value != null) {
            overrides.put(property, value);
        }
    }

    /** The hosts filter: every filter option, combined with {@code and}. */
    Filter filter() {
        Filter filter = Filter.all();
        for (String value : classes) {
            filter = filter.and(Filter.ofClass(value));
        }
        for (String value : facts) {
            filter = filter.and(Filter.ofFact(value));
        }
        for (String value : identities) {
            filter = filter.and(Filter.ofIdentity(value));
        }
        for (String value : agents) {
            filter = filter.and(Filter.ofAgent(value));
        }
        for (String value : wheres) {
            filter = filter.and(Filter.parse(value));
        }
        return filter;
    }

    DiscoveryOptions discoveryOptions() {
        Integer expected = expected();
        return expected == null ? DiscoveryOptions.defaults() : DiscoveryOptions.defaults().expecting(expected);
    }

    /** {@code --expect N}, or null. */
    Integer expected() {
        if (expect == null) {
            return null;
        }
        try {
            int expected = Integer.parseInt(expect);
            if (expected >= 1) {
                return expected;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ParameterException(command.commandLine(), "--expect needs a positive number");
    }

    /** The broker's settings, or a usage error saying how to give them: there is no sandbox on the command line. */
    BrokerSettings brokerSettings(RunnerConfig config) {
        return config.broker().orElseThrow(() -> new ParameterException(command.commandLine(),
                "no broker: give --broker amqp://user:password@host:5672 or set DROVER_BROKER"));
    }

    /** Connects to the configured broker. */
    DroverClient connect() throws Exception {
        RunnerConfig config = config();
        return DroverClient.connect(brokerSettings(config).connector(), config.clientOptions());
    }
}
