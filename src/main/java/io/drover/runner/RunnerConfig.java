package io.drover.runner;

import io.drover.client.ClientOptions;
import io.drover.client.QuietWindowPolicy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The runner's settings, read once from system properties and the environment (see {@link Constants}).
 *
 * @param broker        broker URI(s), or empty for the sandbox
 * @param sandboxFleet  fleet the sandbox emulates
 * @param clientOptions collective, caller, discovery timeout and quiet window, step timeout
 */
public record RunnerConfig(Optional<String> broker, Path sandboxFleet, ClientOptions clientOptions) {
    /** Reads the configuration; a malformed value is an error saying which setting and what it must be. */
    public static RunnerConfig fromEnvironment() {
        return read(System::getProperty, System::getenv);
    }

    static RunnerConfig read(Function<String, String> properties, Function<String, String> environment) {
        Function<String, String> setting = name -> {
            String value = properties.apply(name);
            if (value == null || value.isBlank()) {
                value = environment.apply(environmentName(name));
            }
            return value == null || value.isBlank() ? null : value.trim();
        };
        ClientOptions options = ClientOptions.defaults();
        String collective = setting.apply(Constants.COLLECTIVE_PROPERTY_NAME);
        if (collective != null) {
            options = options.withCollective(collective);
        }
        String caller = setting.apply(Constants.CALLER_PROPERTY_NAME);
        if (caller != null) {
            options = options.withCaller(caller);
        }
        Duration discovery = seconds(setting, Constants.DISCOVERY_TIMEOUT_PROPERTY_NAME);
        if (discovery != null) {
            options = options.withDiscoveryTimeout(discovery);
        }
        String quiet = setting.apply(Constants.DISCOVERY_QUIET_MINIMUM_PROPERTY_NAME);
        if (quiet != null) {
            long ms = number(Constants.DISCOVERY_QUIET_MINIMUM_PROPERTY_NAME, quiet, "milliseconds").longValue();
            options = options.withQuietWindow(QuietWindowPolicy.adaptive(Duration.ofMillis(ms), ClientOptions.DEFAULT_QUIET_MAXIMUM));
        }
        Duration step = seconds(setting, Constants.STEP_TIMEOUT_PROPERTY_NAME);
        if (step != null) {
            options = options.withCallTimeout(step);
        }
        String fleet = setting.apply(Constants.SANDBOX_FLEET_PROPERTY_NAME);
        return new RunnerConfig(Optional.ofNullable(setting.apply(Constants.BROKER_PROPERTY_NAME)),
                Path.of(fleet != null ? fleet : Constants.DEFAULT_SANDBOX_FLEET), options);
    }

    static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Duration seconds(Function<String, String> setting, String name) {
        String value = setting.apply(name);
        if (value == null) {
            return null;
        }
        BigDecimal seconds = number(name, value, "seconds");
        return Duration.ofMillis(seconds.movePointRight(3).longValue());
    }

    private static BigDecimal number(String name, String value, String unit) {
        try {
            BigDecimal number = new BigDecimal(value);
            if (number.signum() <= 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " (or " + environmentName(name) + ") must be a positive number of "
                    + unit + ", got '" + value + "'");
        }
    }
}
