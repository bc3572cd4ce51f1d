package io.drover.runner;

/**
 * Configuration of the runner: every {@code drover.*} setting it reads, documented on its constant here. The steps
 * read a setting from the first of these sources that gives it:
 * <ol>
 * <li>the running {@code @Suite} class: {@code @ConfigurationParameter(key = "drover.broker", value = "...")}, or a
 *     {@code @ConfigurationParametersResource} (its {@code @ConfigurationParameter}s win);</li>
 * <li>the JUnit Platform launcher's own configuration parameters, e.g. Surefire's and Failsafe's
 *     {@code <configurationParameters>};</li>
 * <li>a system property: {@code -Ddrover.broker=...};</li>
 * <li>{@code junit-platform.properties} on the test class path: {@code drover.broker=...};</li>
 * <li>the environment variable named in upper case with {@code _} for {@code .} and {@code -}:
 *     {@code DROVER_BROKER};</li>
 * <li>the default given here.</li>
 * </ol>
 * The first four are the JUnit Platform's configuration parameters in the JUnit Platform's own order; Cucumber gives
 * them only to its engine, so {@link ConfigurationParametersListener} keeps them for the steps. Outside a JUnit
 * Platform launcher (Cucumber's command line, an engine test kit) the steps see system properties,
 * {@code junit-platform.properties} and the environment. The {@code drover} command line reads its options first,
 * then system properties and the environment. A value that is blank counts as not given.
 */
public final class Constants {
    /**
     * Broker to run against, e.g. {@code amqp://user:password@broker.example.com:5672}; several URIs separated by
     * commas are tried in order, the first preferred (the next one only when it cannot be reached). When not set, Drover starts the sandbox: an embedded broker and an emulated fleet.
     */
    public static final String BROKER_PROPERTY_NAME = "drover.broker";

    /**
     * Several sites, each a broker (or cluster) of its own, in place of {@link #BROKER_PROPERTY_NAME}:
     * {@code de=amqp://user:password@mq.de.example.com:5672;fr=amqp://user:password@mq1.fr.example.com,amqp://...mq2.fr...}.
     * One deploy discovers on every site and sends each host's requests to the site it answered on; the credential and
     * TLS settings below apply to every site. Deploy locks are taken on the first site. See docs/sites.md.
     */
    public static final String SITES_PROPERTY_NAME = "drover.sites";

    /** Broker user, overriding the URI's. Default: the URI's. */
    public static final String BROKER_USERNAME_PROPERTY_NAME = "drover.broker.username";
    /**
     * {@code true}: stamp requests with the broker user as {@code user_id}, which RabbitMQ validates. {@code true} or
     * {@code false}; default: {@code false}.
     */
    public static final String BROKER_USER_ID_PROPERTY_NAME = "drover.broker.user-id";

    /**
     * Broker password, overriding the URI's; best given as the environment variable {@code DROVER_BROKER_PASSWORD}.
     * Wins over {@link #BROKER_PASSWORD_FILE_PROPERTY_NAME}. Default: the URI's.
     */
    public static final String BROKER_PASSWORD_PROPERTY_NAME = "drover.broker.password";

    /**
     * A file whose first line is the broker password. Refused when everyone may read it ({@code chmod 600} it), as
     * the agent refuses its {@code password_file}.
     */
    public static final String BROKER_PASSWORD_FILE_PROPERTY_NAME = "drover.broker.password-file";

    /** Trust store (PKCS#12 or JKS) with the broker's CA for {@code amqps://}; default: the JVM's trust. */
    public static final String BROKER_TRUST_STORE_PROPERTY_NAME = "drover.broker.trust-store";
    /** Password of {@link #BROKER_TRUST_STORE_PROPERTY_NAME}. Default: none. */
    public static final String BROKER_TRUST_STORE_PASSWORD_PROPERTY_NAME = "drover.broker.trust-store-password";

    /** Key store with a client certificate, for brokers that require one. Default: no client certificate. */
    public static final String BROKER_KEY_STORE_PROPERTY_NAME = "drover.broker.key-store";
    /** Password of {@link #BROKER_KEY_STORE_PROPERTY_NAME}. Default: none. */
    public static final String BROKER_KEY_STORE_PASSWORD_PROPERTY_NAME = "drover.broker.key-store-password";

    /**
     * Check that the broker's certificate names the host connected to, when a trust or key store is set.
     * {@code true} or {@code false}; default: {@code true}.
     */
    public static final String BROKER_VERIFY_HOSTNAME_PROPERTY_NAME = "drover.broker.verify-hostname";

    /**
     * The caller's private key ({@code NAME.key} from {@code drover keys create --name NAME}); requests are signed
     * with it and the caller is NAME. Agents obey only signed requests unless configured otherwise. Default: requests
     * go unsigned (the sandbox signs with a throwaway key).
     */
    public static final String KEY_PROPERTY_NAME = "drover.key";

    /**
     * The fleet issuer's public key ({@code ISSUER.pub} from {@code drover keys create-issuer --name ISSUER}; several
     * separated by commas). Every reply must be signed by a node whose certificate ({@code drover keys issue}) one of
     * them signed. Required with a broker, unless {@link #INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME} is set.
     */
    public static final String ISSUER_PROPERTY_NAME = "drover.issuer";

    /**
     * Lab only: {@code true} accepts replies nobody can attribute to a node, so anyone who can publish on the broker
     * can make a failed step pass. Warned about at start and in every step summary. {@code true} or {@code false};
     * default: {@code false}.
     */
    public static final String INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME = "drover.insecure.accept-unsigned-replies";

    /** Collective to address. Default: {@value io.drover.protocol.Names#DEFAULT_COLLECTIVE}. */
    public static final String COLLECTIVE_PROPERTY_NAME = "drover.collective";

    /** Who the requests come from, as shown in agents' logs. Default: {@code user@host}. */
    public static final String CALLER_PROPERTY_NAME = "drover.caller";

    /** Fleet description the sandbox emulates. Default: {@value #DEFAULT_SANDBOX_FLEET}. */
    public static final String SANDBOX_FLEET_PROPERTY_NAME = "drover.sandbox.fleet";
    public static final String DEFAULT_SANDBOX_FLEET = "sandbox/fleet.yaml";

    /** Hard cap on discovery, in seconds (decimals allowed). Default: 2. */
    public static final String DISCOVERY_TIMEOUT_PROPERTY_NAME = "drover.discovery.timeout";

    /** Smallest quiet window that ends discovery, in milliseconds. Default: 30. */
    public static final String DISCOVERY_QUIET_MINIMUM_PROPERTY_NAME = "drover.discovery.quiet-minimum";

    /** Time each step waits for every reply, in seconds, unless a step sets it. Default: 60. */
    public static final String STEP_TIMEOUT_PROPERTY_NAME = "drover.step.timeout";

    /**
     * Cross-check discovery against the fleet registry, where agents register themselves: every registered host that
     * matches the filter must answer, or discovery fails naming it. {@code false} trusts whoever answers the
     * broadcast (not recommended). Default: {@code true}.
     */
    public static final String FLEET_REGISTRY_PROPERTY_NAME = "drover.fleet.registry";

    /**
     * Hosts silent for longer than this many seconds are retired from the registry (logged when it happens).
     * Default: 604800 (7 days).
     */
    public static final String FLEET_RETIRE_AFTER_PROPERTY_NAME = "drover.fleet.retire-after";

    /**
     * Seconds a runner follows the fleet registry through its live view before a discovery reads the registry whole
     * again (which also compacts it for every runner); only a runner's first discovery, and one after a broker
     * connection gap, read it whole otherwise. Default: 300.
     */
    public static final String FLEET_REFRESH_AFTER_PROPERTY_NAME = "drover.fleet.refresh-after";

    /**
     * Narrows a run to these hosts: {@code @target/drover-rerun.txt} (a file, one identity per line, as a run with
     * failed hosts writes it) or {@code host1,host2}. The feature's filters still apply; of the hosts they match only
     * these take part, and a listed host that does not answer discovery fails it by name. Default: every host the
     * filters match.
     */
    public static final String HOSTS_PROPERTY_NAME = "drover.hosts";

    /**
     * {@code true}: a dry run. Every request goes out marked as one (signed with the mark); agents check it as usual,
     * then say what they would do and change nothing; Then steps check the predicted state, and every step table,
     * summary and recap says DRY RUN (see docs/steps.md). {@code true} or {@code false}; default: {@code false}.
     */
    public static final String DRY_RUN_PROPERTY_NAME = "drover.dry-run";

    private Constants() {
    }
}
