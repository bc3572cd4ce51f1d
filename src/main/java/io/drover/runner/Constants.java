package io.drover.runner;

/**
 * Configuration of the runner. Each setting is read from a system property ({@code -Ddrover.broker=...}) or,
 * when that is not set, from the environment variable named in upper case with {@code _} for {@code .} and
 * {@code -} ({@code DROVER_BROKER}).
 */
public final class Constants {
    /**
     * Broker to run against, e.g. {@code amqp://user:password@broker.example.com:5672}; several URIs separated by
     * commas fail over. When not set, Drover starts the sandbox: an embedded broker and an emulated fleet.
     */
    public static final String BROKER_PROPERTY_NAME = "drover.broker";

    /** Broker user, overriding the URI's. */
    public static final String BROKER_USERNAME_PROPERTY_NAME = "drover.broker.username";
    /** {@code true}: stamp requests with the broker user as {@code user_id}, which RabbitMQ validates. */
    public static final String BROKER_USER_ID_PROPERTY_NAME = "drover.broker.user-id";

    /** Broker password, overriding the URI's; best given as the environment variable {@code DROVER_BROKER_PASSWORD}. */
    public static final String BROKER_PASSWORD_PROPERTY_NAME = "drover.broker.password";

    /** A file whose first line is the broker password. */
    public static final String BROKER_PASSWORD_FILE_PROPERTY_NAME = "drover.broker.password-file";

    /** Trust store (PKCS#12 or JKS) with the broker's CA for {@code amqps://}; default: the JVM's trust. */
    public static final String BROKER_TRUST_STORE_PROPERTY_NAME = "drover.broker.trust-store";
    public static final String BROKER_TRUST_STORE_PASSWORD_PROPERTY_NAME = "drover.broker.trust-store-password";

    /** Key store with a client certificate, for brokers that require one. */
    public static final String BROKER_KEY_STORE_PROPERTY_NAME = "drover.broker.key-store";
    public static final String BROKER_KEY_STORE_PASSWORD_PROPERTY_NAME = "drover.broker.key-store-password";

    /** Check that the broker's certificate names the host connected to. Default: true. */
    public static final String BROKER_VERIFY_HOSTNAME_PROPERTY_NAME = "drover.broker.verify-hostname";

    /**
     * The caller's private key ({@code NAME.key} from {@code drover keys create --name NAME}); requests are signed
     * with it and the caller is NAME. Agents obey only signed requests unless configured otherwise.
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
     * can make a failed step pass. Warned about at start and in every step summary.
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

    private Constants() {
    }
}
