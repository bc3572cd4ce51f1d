package io.drover.transport.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.State;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.VirtualHost;
import org.apache.qpid.server.model.VirtualHostNode;

/**
 * An in-process Apache Qpid Broker-J speaking AMQP 0-9-1, with an in-memory configuration, message store and
 * virtual host. Intended for tests and the zero-install sandbox; nothing survives {@link #close()}.
 *
 * <p>Differences from RabbitMQ that callers must live with:
 * <ul>
 *   <li>at most 256 channels per connection;</li>
 *   <li>RabbitMQ {@code x-} queue arguments (e.g. {@code x-message-ttl}) close the connection with 542;</li>
 *   <li>touching another connection's exclusive queue closes the whole connection (530/403), not the channel;</li>
 *   <li>broker-generated consumer tags are only unique per channel ({@code sgen_1} on every channel), which makes
 *       amqp-client's topology recovery drop all but one consumer: always pass explicit, unique consumer tags;</li>
 *   <li>an unroutable mandatory publish on a confirm-mode channel is nacked (RabbitMQ acks it), then returned.</li>
 * </ul>
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final String PORT_NAME = "AMQP";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration VHOST_START_TIMEOUT = Duration.ofSeconds(30);

    private final Options options;
    private final SystemLauncher launcher;
    private final Path workDir;
    private final int port;
    private boolean closed;

    private EmbeddedBroker(Options options, SystemLauncher launcher, Path workDir, int port) {
        this.options = options;
        this.launcher = launcher;
        this.workDir = workDir;
        this.port = port;
    }

    /** Settings for {@link #start(Options)}; {@link #defaults()} gives 127.0.0.1, a free port, guest/guest, "default". */
    public record Options(String host, int port, String username, String password, String virtualHost, Path keyStore,
                          String keyStorePassword, Path clientTrustStore, String clientTrustStorePassword) {

        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(virtualHost, "virtualHost");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (virtualHost.isEmpty() || virtualHost.equals("/")) {
                // "/" is what amqp-client sends by default; the default alias already maps it to this host.
                throw new IllegalArgumentException("virtualHost must be a plain name, got '" + virtualHost + "'");
            }
        }

        public static Options defaults() {
            return new Options("127.0.0.1", 0, "guest", "guest", "default", null, null, null, null);
        }

        public Options withHost(String host) {
            return new Options(host, port, username, password, virtualHost, keyStore, keyStorePassword, clientTrustStore, clientTrustStorePassword);
        }

        public Options withPort(int port) {
            return new Options(host, port, username, password, virtualHost, keyStore, keyStorePassword, clientTrustStore, clientTrustStorePassword);
        }

        public Options withCredentials(String username, String password) {
            return new Options(host, port, username, password, virtualHost, keyStore, keyStorePassword, clientTrustStore, clientTrustStorePassword);
        }

        public Options withVirtualHost(String virtualHost) {
            return new Options(host, port, username, password, virtualHost, keyStore, keyStorePassword, clientTrustStore, clientTrustStorePassword);
        }

        /** TLS only (amqps), with the broker's certificate and key from a PKCS#12 or JKS key store. */
        public Options withTls(Path keyStore, String keyStorePassword) {
            return new Options(host, port, username, password, virtualHost, keyStore, keyStorePassword, clientTrustStore,
                    clientTrustStorePassword);
        }

        /** With TLS: require a client certificate trusted by this trust store. */
        public Options withClientCertificates(Path trustStore, String trustStorePassword) {
            return new Options(host, port, username, password, virtualHost, keyStore, keyStorePassword, trustStore, trustStorePassword);
        }

        @Override
        public String toString() {
            return "Options[host=" + host + ", port=" + port + ", username=" + username + ", virtualHost="
                    + virtualHost + ", tls=" + (keyStore != null) + "]";
        }
    }

    /** Starts a broker and returns once its AMQP port is listening and its virtual host accepts connections. */
    public static EmbeddedBroker start(Options options) {
        Objects.requireNonNull(options, "options");
        Path workDir;
        try {
            workDir = Files.createTempDirectory("drover-qpid-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create broker work directory", e);
        }
        var startupError = new AtomicReference<RuntimeException>();
        var systemConfig = new AtomicReference<SystemConfig<?>>();
        var launcher = new SystemLauncher(new SystemLauncherListener.DefaultSystemLauncherListener() {
            @Override
            public void errorOnStartup(RuntimeException e) {
                startupError.set(e);
            }

            @Override
            public void onContainerResolve(SystemConfig<?> config) {
                systemConfig.set(config);
            }
        });
        try {
            Path initialConfig = workDir.resolve("initial-config.json");
            Files.writeString(initialConfig, JSON.writeValueAsString(initialConfig(options)), StandardCharsets.UTF_8);
            // SystemLauncher swallows startup exceptions (it only reports them to the listener), so we rethrow.
            launcher.startup(systemAttributes(initialConfig, workDir));
            // Read once at startup; it holds the password, so don't leave it lying around.
            Files.deleteIfExists(initialConfig);
            if (startupError.get() != null) {
                throw startupError.get();
            }
            Broker<?> broker = broker(systemConfig.get());
            awaitVirtualHostActive(broker, options.virtualHost());
            int boundPort = boundPort(broker, options);
            return new EmbeddedBroker(options, launcher, workDir, boundPort);
        } catch (RuntimeException | Error e) {
            shutdownQuietly(launcher, e);
            deleteRecursively(workDir);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdownQuietly(launcher, e);
            deleteRecursively(workDir);
            throw new IllegalStateException("interrupted while starting embedded Qpid broker", e);
        } catch (Exception e) {
            shutdownQuietly(launcher, e);
            deleteRecursively(workDir);
            throw new IllegalStateException("embedded Qpid broker failed to start on " + options.host() + ":"
                    + options.port(), e);
        }
    }

    /** The port the AMQP listener is bound to (the real one when {@link Options#port()} was 0). */
    public int port() {
        return port;
    }

    /**
     * URI for amqp-client's {@code ConnectionFactory.setUri}. It names no virtual host, so the client's default "/"
     * is used, which the broker maps to its only virtual host; {@code .../<virtualHost>} works as well.
     */
    public URI amqpUri() {
        String host = options.host();
        if (host.equals("*") || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create((options.keyStore() != null ? "amqps://" : "amqp://") + percentEncode(options.username()) + ":" + percentEncode(options.password())
                + "@" + host + ":" + port);
    }

    /** The virtual host's real name, for clients that name it explicitly instead of using "/". */
    public String virtualHost() {
        return options.virtualHost();
    }

    /** Stops the broker, closing client connections, and deletes its work directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // Blocks until ports, virtual host and task executors are closed; the listening socket is released
            // before this returns, so a new broker can bind the same port straight away.
            launcher.shutdown();
        } finally {
            deleteRecursively(workDir);
        }
    }

    private static Map<String, Object> systemAttributes(Path initialConfig, Path workDir) {
        return Map.of(
                SystemConfig.TYPE, "Memory",
                SystemConfig.INITIAL_CONFIGURATION_LOCATION, initialConfig.toUri().toString(),
                SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false,
                // The default preference store is a JSON file under the work dir; we want nothing persisted.
                "preferenceStoreAttributes", Map.of("type", "Noop"),
                // Qpid resolves its work dir from ${QPID_WORK}, defaulting to ${user.dir}/work; pin it to our
                // temp dir so nothing can ever land in the current directory.
                "context", Map.of(
                        SystemConfig.PROPERTY_QPID_WORK, workDir.toString(),
                        SystemConfig.QPID_WORK_DIR, workDir.toString()));
    }

    private static Map<String, Object> initialConfig(Options options) {
        Map<String, Object> port = new java.util.LinkedHashMap<>(Map.of(
                "name", PORT_NAME,
                "type", "AMQP",
                "port", options.port(),
                "bindingAddress", options.host(),
                "protocols", List.of("AMQP_0_9_1"),
                "authenticationProvider", "plain",
                "virtualhostaliases", List.of(
                        Map.of("name", "nameAlias", "type", "nameAlias"),
                        Map.of("name", "defaultAlias", "type", "defaultAlias"))));
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        if (options.keyStore() != null) {
            port.put("transports", List.of("SSL"));
            port.put("keyStore", "tls");
            config.put("keystores", List.of(Map.of("name", "tls", "type", "FileKeyStore",
                    "storeUrl", options.keyStore().toUri().toString(),
                    "password", options.keyStorePassword() == null ? "" : options.keyStorePassword())));
            if (options.clientTrustStore() != null) {
                port.put("needClientAuth", true);
                port.put("trustStores", List.of("clients"));
                config.put("truststores", List.of(Map.of("name", "clients", "type", "FileTrustStore",
                        "storeUrl", options.clientTrustStore().toUri().toString(),
                        "password", options.clientTrustStorePassword() == null ? "" : options.clientTrustStorePassword())));
            }
        }
        config.putAll(Map.of(
                "name", "drover-embedded",
                "modelVersion", "9.1",
                "context", Map.of(
                        // A 1 s direct-memory check is rescheduled forever and broker shutdown waits for the
                        // pending run, so every close() would take ~1 s; 0 disables it.
                        "qpid.compact_memory_interval", "0",
                        // Defaults are sized for a server: 64 connection threads + 8 selectors per virtual host,
                        // 8 port IO threads, 4+2 housekeeping threads, all started eagerly.
                        "virtualhost.connectionThreadPool.size", "4",
                        "virtualhost.connectionThreadPool.numberOfSelectors", "1",
                        "virtualhost.housekeepingThreadCount", "1",
                        "broker.housekeepingThreadCount", "1",
                        "qpid.port.amqp.threadPool.size", "2",
                        // Qpid closes the connection on an unroutable mandatory publish in a transacted
                        // channel; RabbitMQ returns the message instead. Behave like RabbitMQ.
                        "qpid.port.closeWhenNoRoute", "false"),
                "authenticationproviders", List.of(Map.of(
                        "name", "plain",
                        "type", "Plain",
                        // PLAIN is "secure only" by default, i.e. refused on a non-TLS port, and it is the only
                        // password mechanism amqp-client offers.
                        "secureOnlyMechanisms", List.of(),
                        "users", List.of(Map.of(
                                "name", options.username(),
                                "type", "managed",
                                "password", options.password())))),
                "ports", List.of(port),
                "virtualhostnodes", List.of(Map.of(
                        "name", options.virtualHost(),
                        "type", "Memory",
                        "defaultVirtualHostNode", true,
                        "virtualHostInitialConfiguration", "{\"type\":\"Memory\"}"))));
        return config;
    }

    private static Broker<?> broker(SystemConfig<?> systemConfig) {
        if (systemConfig == null) {
            throw new IllegalStateException("broker started without a system configuration");
        }
        return (Broker<?>) systemConfig.getContainer();
    }

    // The broker reports itself started (and its port is already accepting) while the virtual host is still
    // activating asynchronously; a client connecting in that window is refused with
    // "320 Virtual host '...' is not active".
    private static void awaitVirtualHostActive(Broker<?> broker, String name) throws InterruptedException {
        long deadline = System.nanoTime() + VHOST_START_TIMEOUT.toNanos();
        while (true) {
            VirtualHostNode<?> node = broker.getChildByName(VirtualHostNode.class, name);
            VirtualHost<?> host = node == null ? null : node.getVirtualHost();
            State state = host == null ? null : host.getState();
            if (state == State.ACTIVE) {
                return;
            }
            if (state == State.ERRORED || (node != null && node.getState() == State.ERRORED)) {
                throw new IllegalStateException("virtual host '" + name + "' failed to start");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("virtual host '" + name + "' not active after " + VHOST_START_TIMEOUT
                        + " (state " + state + ")");
            }
            Thread.sleep(5);
        }
    }

    private static int boundPort(Broker<?> broker, Options options) {
        Port<?> port = broker.getChildByName(Port.class, PORT_NAME);
        if (port == null || port.getState() != State.ACTIVE || port.getBoundPort() <= 0) {
            // A bind failure does not fail the broker; the port is merely left ERRORED (cause in the broker log).
            throw new IllegalStateException("AMQP port did not start listening on " + options.host() + ":"
                    + options.port() + " (state " + (port == null ? "missing" : port.getState())
                    + "); address in use or not local? cause is in the broker log");
        }
        return port.getBoundPort();
    }

    private static void shutdownQuietly(SystemLauncher launcher, Throwable cause) {
        try {
            launcher.shutdown();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete broker work directory " + dir, e);
        }
    }

    private static String percentEncode(String s) {
        var out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append(String.format("%%%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
