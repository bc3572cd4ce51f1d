package io.drover.cli;

import io.drover.client.DroverClient;
import io.drover.client.DiscoveryOptions;
import io.drover.filter.Filter;
import io.drover.runner.Constants;
import io.drover.runner.RunnerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The options every command that talks to a fleet shares: where the broker is, who signs, which hosts (the
 * same filters as the steps), how long to wait, and how to print. Unset options fall back to the runner's
 * settings ({@code -Ddrover.broker}, {@code DROVER_BROKER}, ...).
 */
final class FleetOptions {
    static final Set<String> WITH_VALUE = Set.of("--broker", "--collective", "--key", "--issuer", "--timeout",
            "--discovery-timeout", "--class", "--fact", "--identity", "--agent", "--where", "--expect");
    static final Set<String> FLAGS = Set.of("--json");
    static final String HELP = """
              --broker URI          broker (default: DROVER_BROKER / -Ddrover.broker)
              --collective NAME     collective (default drover)
              --key FILE            sign with this caller key (default: DROVER_KEY / -Ddrover.key)
              --issuer FILE         accept only replies of nodes enrolled by this issuer (ISSUER.pub;
                                    default: DROVER_ISSUER / -Ddrover.issuer; required with a broker)
              --class C --fact F --identity I --agent A --where EXPR
                                    choose hosts, combined with 'and' (as the steps do)
              --expect N            exactly N hosts must answer discovery
              --timeout SECONDS     time to wait for every reply (default 60)
              --discovery-timeout S cap on discovery (default 2)
              --json                machine-readable output
            """;

    private final Arguments arguments;

    FleetOptions(Arguments arguments) {
        this.arguments = arguments;
    }

    boolean json() {
        return arguments.has("--json");
    }

    /** The runner configuration: these options first, then system properties, then the environment. */
    RunnerConfig config() {
        Map<String, String> overrides = new HashMap<>();
        put(overrides, "--broker", Constants.BROKER_PROPERTY_NAME);
        put(overrides, "--collective", Constants.COLLECTIVE_PROPERTY_NAME);
        put(overrides, "--key", Constants.KEY_PROPERTY_NAME);
        put(overrides, "--issuer", Constants.ISSUER_PROPERTY_NAME);
        put(overrides, "--timeout", Constants.STEP_TIMEOUT_PROPERTY_NAME);
        put(overrides, "--discovery-timeout", Constants.DISCOVERY_TIMEOUT_PROPERTY_NAME);
        return RunnerConfig.read(name -> overrides.containsKey(name) ? overrides.get(name) : System.getProperty(name), System::getenv);
    }

    private void put(Map<String, String> overrides, String option, String property) {
        if (arguments.has(option)) {
            overrides.put(property, arguments.value(option));
        }
    }

    /** The hosts filter: every filter option, combined with {@code and}. */
    Filter filter() {
        Filter filter = Filter.all();
        for (String value : arguments.values("--class")) {
            filter = filter.and(Filter.ofClass(value));
        }
        for (String value : arguments.values("--fact")) {
            filter = filter.and(Filter.ofFact(value));
        }
        for (String value : arguments.values("--identity")) {
            filter = filter.and(Filter.ofIdentity(value));
        }
        for (String value : arguments.values("--agent")) {
            filter = filter.and(Filter.ofAgent(value));
        }
        for (String value : arguments.values("--where")) {
            filter = filter.and(Filter.parse(value));
        }
        return filter;
    }

    DiscoveryOptions discoveryOptions() throws Arguments.UsageException {
        DiscoveryOptions options = DiscoveryOptions.defaults();
        if (arguments.has("--expect")) {
            try {
                int expected = Integer.parseInt(arguments.value("--expect"));
                if (expected < 1) {
                    throw new NumberFormatException();
                }
                options = options.expecting(expected);
            } catch (NumberFormatException e) {
                throw new Arguments.UsageException("--expect needs a positive number");
            }
        }
        return options;
    }

    Integer expected() {
        return arguments.has("--expect") ? Integer.valueOf(arguments.value("--expect")) : null;
    }

    /** Connects to the configured broker; there is no sandbox on the command line. */
    DroverClient connect() throws Exception {
        RunnerConfig config = config();
        if (config.broker().isEmpty()) {
            throw new Arguments.UsageException("no broker: give --broker amqp://user:password@host:5672 or set DROVER_BROKER");
        }
        return DroverClient.connect(config.broker().get().connector(), config.clientOptions());
    }
}
