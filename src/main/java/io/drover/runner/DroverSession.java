package io.drover.runner;

import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSigner;
import io.drover.security.TrustedKeys;
import io.drover.sandbox.Sandbox;
import io.drover.transport.BrokerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The connection the steps use, shared by every scenario of a run, also scenarios running in parallel: a client of
 * the configured broker, or of the sandbox (embedded broker plus emulated fleet) when no broker is configured. Opened
 * on first use and closed when the JVM exits, or when a later suite is configured differently (suites run one after
 * another). The session opened on first use also watches the process that started the run: when it is gone (Maven
 * or its test fork killed), no further step is sent and the JVM ends.
 */
public final class DroverSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DroverSession.class);
    /** A session a test made the one steps use, whatever the configuration says. */
    private static DroverSession installed;
    /** The session opened from the configuration, and the settings it was opened with. */
    private static DroverSession opened;
    private static Map<String, String> openedWith;
    private static ParentWatchdog watchdog;

    private final RunnerConfig config;
    private final DroverClient client;
    private final Sandbox sandbox;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DroverSession(RunnerConfig config, DroverClient client, Sandbox sandbox) {
        this.config = config;
        this.client = client;
        this.sandbox = sandbox;
    }

    /**
     * The session of this run: the one {@link #install installed}, else the one opened from the settings as they
     * are now ({@link Constants}), opened on first use and again when the settings differ from the last.
     */
    public static DroverSession get() {
        synchronized (DroverSession.class) {
            if (installed != null) {
                return installed;
            }
        }
        Function<String, String> settings = SettingSources.current();
        Map<String, String> snapshot = SettingSources.snapshot(settings);
        synchronized (DroverSession.class) {
            if (installed != null) {
                return installed;
            }
            if (opened != null && snapshot.equals(openedWith)) {
                return opened;
            }
            DroverSession previous = opened;
            opened = null;
            if (previous != null) {
                LOG.info("Drover: the settings changed, so the session opened for the last suite is closed and a new one opened");
                previous.close();
            }
            opened = open(RunnerConfig.read(settings, System::getenv));
            openedWith = snapshot;
            if (watchdog == null) {
                Runtime.getRuntime().addShutdownHook(new Thread(DroverSession::closeOpened, "drover session close"));
                watchdog = ParentWatchdog.ofThisProcess();
                watchdog.start();
            }
            return opened;
        }
    }

    private static void closeOpened() {
        DroverSession session;
        synchronized (DroverSession.class) {
            session = opened;
        }
        if (session != null) {
            session.close();
        }
    }

    /**
     * Makes {@code session} the one steps use, e.g. a test's own sandbox, and returns the one it replaces (to
     * install again afterwards); {@code null} means "the one opened from the settings". The caller keeps
     * ownership and closes it.
     */
    public static synchronized DroverSession install(DroverSession session) {
        DroverSession previous = installed;
        installed = session;
        return previous;
    }

    /** Connects to the configured broker, or starts the sandbox when none is configured. */
    public static DroverSession open(RunnerConfig config) {
        try {
            if (!config.sites().isEmpty()) {
                Map<String, BrokerConnector> sites = new java.util.LinkedHashMap<>();
                config.sites().forEach((name, settings) -> sites.put(name, settings.connector()));
                DroverClient client = DroverClient.connect(sites, config.clientOptions());
                LOG.info("Drover: using {} sites {} (collective {}), caller {}, requests {}, replies {}", sites.size(), client.broker(),
                        config.clientOptions().collective(), config.clientOptions().caller(),
                        config.clientOptions().signer() != null ? "signed" : "UNSIGNED",
                        config.acceptsUnsignedReplies() ? "NOT verified" : "verified");
                return new DroverSession(config, client, null);
            }
            if (config.broker().isPresent()) {
                BrokerConnector broker = config.broker().get().connector();
                DroverClient client = DroverClient.connect(broker, config.clientOptions());
                ClientOptions options = config.clientOptions();
                LOG.info("Drover: using broker {}{} (collective {}), caller {}, requests {}", broker, broker.isTls() ? " over TLS" : "",
                        options.collective(), options.caller(), options.signer() != null ? "signed" : "UNSIGNED");
                if (config.acceptsUnsignedReplies()) {
                    LOG.warn("INSECURE: {}. Enrol nodes (drover keys issue) and set -D{}=PATH/ISSUER.pub instead.",
                            RunnerConfig.UNVERIFIED_REPLIES_WARNING, Constants.ISSUER_PROPERTY_NAME);
                } else {
                    LOG.info("Drover: replies must be signed by nodes enrolled by {}", options.replyVerifier().issuers());
                }
                if (options.signer() == null) {
                    LOG.warn("Requests are unsigned: agents obey only signed requests unless configured otherwise. "
                            + "Create a key with `drover keys create --name NAME` and set -D{}=PATH/NAME.key", Constants.KEY_PROPERTY_NAME);
                }
                return new DroverSession(config, client, null);
            }
            if (!Files.isRegularFile(config.sandboxFleet())) {
                throw new IllegalStateException("No broker configured and no sandbox fleet at " + config.sandboxFleet().toAbsolutePath()
                        + ". Set -D" + Constants.BROKER_PROPERTY_NAME + "=amqp://user:password@host:5672 (or DROVER_BROKER), or -D"
                        + Constants.SANDBOX_FLEET_PROPERTY_NAME + "=path/to/fleet.yaml.");
            }
            long started = System.nanoTime();
            // A throwaway key pair per run, so the zero-install default signs and verifies like a real deploy.
            ClientOptions options = config.clientOptions();
            KeyPair keys = KeyFiles.generate();
            options = options.withSigner(new RequestSigner(options.caller(), keys.getPrivate()));
            // Likewise a throwaway fleet issuer: every emulated node signs its replies and the client verifies them.
            Sandbox sandbox = Sandbox.start(config.sandboxFleet(), TrustedKeys.of(Map.of(options.caller(), keys.getPublic())));
            try {
                DroverClient client = DroverClient.connect(sandbox.broker(), options.withCollective(sandbox.fleet().collective())
                        .withReplyVerifier(sandbox.replyVerifier()));
                LOG.info("Drover sandbox: no broker configured (-D{} or DROVER_BROKER), so started an {} in {} ms; "
                        + "requests signed with a throwaway key, replies verified against a throwaway issuer",
                        Constants.BROKER_PROPERTY_NAME, sandbox.describe(), (System.nanoTime() - started) / 1_000_000);
                return new DroverSession(config, client, sandbox);
            } catch (IOException | TimeoutException | RuntimeException e) {
                sandbox.close();
                throw e;
            }
        } catch (IOException | TimeoutException e) {
            throw new io.drover.error.BrokerUnreachableException("Cannot connect to the broker: " + e.getMessage()
                    + ". Check -D" + Constants.BROKER_PROPERTY_NAME + " / DROVER_BROKER and that the broker is running.", e);
        }
    }

    /** A session around an existing client and optional sandbox, e.g. for tests. */
    public static DroverSession of(RunnerConfig config, DroverClient client, Sandbox sandbox) {
        return new DroverSession(config, client, sandbox);
    }

    /**
     * Fails when the run is stopping because the process that started it is gone; steps call it before sending
     * anything, so nothing more is sent to the hosts.
     */
    public static void requireRunning() {
        ParentWatchdog watching;
        synchronized (DroverSession.class) {
            watching = watchdog;
        }
        String reason = watching == null ? null : watching.check();
        if (reason != null) {
            throw new AssertionError("The deploy is stopping: " + reason + ". Nothing more is sent to the hosts.");
        }
    }

    public DroverClient client() {
        return client;
    }

    public RunnerConfig config() {
        return config;
    }

    /** The sandbox, when this run uses one. */
    public Optional<Sandbox> sandbox() {
        return Optional.ofNullable(sandbox);
    }

    /** Closes the client and the sandbox; closing again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            client.close();
        } finally {
            if (sandbox != null) {
                sandbox.close();
            }
        }
    }
}
