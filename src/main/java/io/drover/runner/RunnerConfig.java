package io.drover.runner;

import io.drover.client.ClientOptions;
import io.drover.client.QuietWindowPolicy;
import io.drover.client.RegistryOptions;
import io.drover.fleet.HostSelection;
import io.drover.security.ReplyVerifier;
import io.drover.security.RequestSigner;
import io.drover.transport.BrokerSettings;
import io.drover.transport.SecretFile;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The runner's settings, read from the JUnit Platform configuration parameters, system properties and the
 * environment, in the order {@link Constants} gives.
 *
 * @param broker        broker URIs, credentials and TLS, or empty for the sandbox
 * @param sandboxFleet  fleet the sandbox emulates
 * @param clientOptions collective, caller and signing key, reply verifier, discovery timeout and quiet window, step timeout,
 *                      dry run ({@value Constants#DRY_RUN_PROPERTY_NAME})
 * @param acceptsUnsignedReplies the lab setting {@value Constants#INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME}: replies
 *                      are not verified (with a broker and no issuer)
 * @param hosts         the hosts the run is narrowed to ({@value Constants#HOSTS_PROPERTY_NAME}), or {@link HostSelection#all()}
 * @param sites         the brokers of several sites by name, in order ({@value Constants#SITES_PROPERTY_NAME}), in place of
 *                      {@code broker}; empty for one broker or the sandbox
 */
public record RunnerConfig(Optional<BrokerSettings> broker, Path sandboxFleet, ClientOptions clientOptions,
                           boolean acceptsUnsignedReplies, HostSelection hosts, Map<String, BrokerSettings> sites) {
    public RunnerConfig {
        hosts = hosts == null ? HostSelection.all() : hosts;
        sites = sites == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(sites));
    }

    /** A configuration of one broker, or the sandbox. */
    public RunnerConfig(Optional<BrokerSettings> broker, Path sandboxFleet, ClientOptions clientOptions, boolean acceptsUnsignedReplies,
                        HostSelection hosts) {
        this(broker, sandboxFleet, clientOptions, acceptsUnsignedReplies, hosts, Map.of());
    }

    /** A configuration for every host the filters match. */
    public RunnerConfig(Optional<BrokerSettings> broker, Path sandboxFleet, ClientOptions clientOptions, boolean acceptsUnsignedReplies) {
        this(broker, sandboxFleet, clientOptions, acceptsUnsignedReplies, HostSelection.all());
    }

    /** Whether this run is a dry run ({@value Constants#DRY_RUN_PROPERTY_NAME}): nothing is changed, only predicted. */
    public boolean dryRun() {
        return clientOptions.dryRun();
    }

    /** A warning for logs and every step summary while replies are not verified. */
    public static final String UNVERIFIED_REPLIES_WARNING = "replies are NOT verified (" + Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME
            + "=true): anyone who can publish on the broker can make a failed step pass";

    /**
     * Reads the configuration from every source of {@link Constants}, as the running suite sees it; a malformed value
     * is an error saying which setting and what it must be.
     */
    public static RunnerConfig fromEnvironment() {
        return read(SettingSources.current(), System::getenv);
    }

    /**
     * Reads the configuration from {@code properties} (configuration parameters, or a command line's options),
     * falling back to {@code environment} under the upper-case names.
     */
    public static RunnerConfig read(Function<String, String> properties, Function<String, String> environment) {
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
        String key = setting.apply(Constants.KEY_PROPERTY_NAME);
        if (key != null) {
            try {
                options = options.withSigner(RequestSigner.load(Path.of(key)));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(Constants.KEY_PROPERTY_NAME + ": " + e.getMessage()
                        + "; create a key with: drover keys create --name NAME", e);
            }
        }
        String issuers = setting.apply(Constants.ISSUER_PROPERTY_NAME);
        if (issuers != null) {
            try {
                options = options.withReplyVerifier(ReplyVerifier.load(Arrays.stream(issuers.split(","))
                        .map(String::strip).filter(path -> !path.isEmpty()).map(Path::of).toList()));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(Constants.ISSUER_PROPERTY_NAME + ": " + e.getMessage()
                        + "; it is the fleet issuer's public key, ISSUER.pub from: drover keys create-issuer --name ISSUER", e);
            }
        }
        String registry = setting.apply(Constants.FLEET_REGISTRY_PROPERTY_NAME);
        if (registry != null) {
            if (!registry.equals("true") && !registry.equals("false")) {
                throw new IllegalArgumentException(Constants.FLEET_REGISTRY_PROPERTY_NAME + " (or "
                        + environmentName(Constants.FLEET_REGISTRY_PROPERTY_NAME) + ") must be true or false, got '" + registry + "'");
            }
            if (registry.equals("false")) {
                options = options.withRegistry(RegistryOptions.off());
            }
        }
        Duration retireAfter = seconds(setting, Constants.FLEET_RETIRE_AFTER_PROPERTY_NAME);
        if (retireAfter != null) {
            options = options.withRegistry(options.registry().withRetireAfter(retireAfter));
        }
        Duration refreshAfter = seconds(setting, Constants.FLEET_REFRESH_AFTER_PROPERTY_NAME);
        if (refreshAfter != null) {
            options = options.withRegistry(options.registry().withRefreshAfter(refreshAfter));
        }
        if (bool(setting, Constants.DRY_RUN_PROPERTY_NAME, false)) {
            options = options.withDryRun(true);
        }
        String insecure = setting.apply(Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME);
        if (insecure != null && !insecure.equals("true") && !insecure.equals("false")) {
            throw new IllegalArgumentException(Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME + " must be true or false, got '"
                    + insecure + "'");
        }
        boolean acceptUnsigned = "true".equals(insecure);
        if (acceptUnsigned && issuers != null) {
            throw new IllegalArgumentException(Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME + "=true and "
                    + Constants.ISSUER_PROPERTY_NAME + " contradict each other; remove one");
        }
        Optional<BrokerSettings> broker = broker(setting);
        Map<String, BrokerSettings> sites = sites(setting);
        if (broker.isPresent() && !sites.isEmpty()) {
            throw new IllegalArgumentException(Constants.BROKER_PROPERTY_NAME + " and " + Constants.SITES_PROPERTY_NAME
                    + " are both set; give one broker (or cluster) with " + Constants.BROKER_PROPERTY_NAME + ", or every site's broker in "
                    + Constants.SITES_PROPERTY_NAME + " and remove " + Constants.BROKER_PROPERTY_NAME);
        }
        boolean remote = broker.isPresent() || !sites.isEmpty();
        if (remote && issuers == null && !acceptUnsigned) {
            throw new IllegalArgumentException("Replies cannot be verified: set -D" + Constants.ISSUER_PROPERTY_NAME
                    + "=PATH/ISSUER.pub (or " + environmentName(Constants.ISSUER_PROPERTY_NAME) + "), the public key of the issuer that "
                    + "enrolled the nodes (drover keys create-issuer, drover keys issue; see docs/security.md). Only in a lab: -D"
                    + Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME + "=true");
        }
        String fleet = setting.apply(Constants.SANDBOX_FLEET_PROPERTY_NAME);
        String hosts = setting.apply(Constants.HOSTS_PROPERTY_NAME);
        return new RunnerConfig(broker, Path.of(fleet != null ? fleet : Constants.DEFAULT_SANDBOX_FLEET), options,
                remote && acceptUnsigned,
                hosts == null ? HostSelection.all() : HostSelection.parse(Constants.HOSTS_PROPERTY_NAME, hosts), sites);
    }

    private static Optional<BrokerSettings> broker(Function<String, String> setting) {
        String uris = setting.apply(Constants.BROKER_PROPERTY_NAME);
        return uris == null ? Optional.empty() : Optional.of(broker(setting, uris, Constants.BROKER_PROPERTY_NAME));
    }

    /**
     * {@code NAME=URI[,URI...];NAME=URI...}: each site's broker, its URIs failing over in order; the credential and TLS
     * settings apply to every site, a URI's own user and password win.
     */
    private static Map<String, BrokerSettings> sites(Function<String, String> setting) {
        String value = setting.apply(Constants.SITES_PROPERTY_NAME);
        if (value == null) {
            return Map.of();
        }
        Map<String, BrokerSettings> sites = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? "" : part.substring(0, eq).strip();
            if (!SITE_NAME.matcher(name).matches()) {
                // Only the name is echoed: the rest may hold a password.
                throw new IllegalArgumentException(Constants.SITES_PROPERTY_NAME + ": " + (eq < 0 ? "a site without NAME=" : "site name '"
                        + name + "' is not valid") + "; give NAME=amqp://host:5672 per site (a name of letters, digits, '-' or '_', up to 32), "
                        + "sites separated by ';'");
            }
            String label = Constants.SITES_PROPERTY_NAME + " (site " + name + ")";
            if (sites.put(name, broker(setting, part.substring(eq + 1), label)) != null) {
                throw new IllegalArgumentException(Constants.SITES_PROPERTY_NAME + ": site " + name + " is given twice; give each site once");
            }
        }
        if (sites.size() < 2) {
            throw new IllegalArgumentException(Constants.SITES_PROPERTY_NAME + " needs at least two sites (NAME=URI;NAME=URI), got "
                    + sites.keySet() + "; for one broker or cluster set " + Constants.BROKER_PROPERTY_NAME + " instead");
        }
        return sites;
    }

    private static final Pattern SITE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private static BrokerSettings broker(Function<String, String> setting, String uris, String label) {
        BrokerSettings.Builder broker;
        try {
            broker = BrokerSettings.builder(uris);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
        }
        String password = setting.apply(Constants.BROKER_PASSWORD_PROPERTY_NAME);
        String passwordFile = setting.apply(Constants.BROKER_PASSWORD_FILE_PROPERTY_NAME);
        if (password == null && passwordFile != null) {
            try {
                password = SecretFile.read(Path.of(passwordFile));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(Constants.BROKER_PASSWORD_FILE_PROPERTY_NAME + ": " + e.getMessage(), e);
            }
        }
        String trustStore = setting.apply(Constants.BROKER_TRUST_STORE_PROPERTY_NAME);
        String keyStore = setting.apply(Constants.BROKER_KEY_STORE_PROPERTY_NAME);
        broker.username(setting.apply(Constants.BROKER_USERNAME_PROPERTY_NAME)).password(password)
                .trustStore(trustStore == null ? null : Path.of(trustStore), setting.apply(Constants.BROKER_TRUST_STORE_PASSWORD_PROPERTY_NAME))
                .keyStore(keyStore == null ? null : Path.of(keyStore), setting.apply(Constants.BROKER_KEY_STORE_PASSWORD_PROPERTY_NAME))
                .verifyHostname(bool(setting, Constants.BROKER_VERIFY_HOSTNAME_PROPERTY_NAME, true))
                .userId(bool(setting, Constants.BROKER_USER_ID_PROPERTY_NAME, false));
        try {
            return broker.build();
        } catch (IllegalArgumentException e) {
            // Which setting (and site) the bad URI or TLS store came from.
            throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
        }
    }

    private static boolean bool(Function<String, String> setting, String name, boolean otherwise) {
        String value = setting.apply(name);
        if (value == null) {
            return otherwise;
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(name + " (or " + environmentName(name) + ") must be true or false, got '" + value + "'");
        }
        return value.equals("true");
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
