package io.drover.testing;

import io.drover.transport.BrokerConnector;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A RabbitMQ node of a test's own: its own node name, AMQP and distribution ports on 127.0.0.1, data and log
 * directories under {@code target/rabbit}, so a test can stop, restart, alarm or cluster it without touching the
 * system broker on 5672. Nodes started with the same {@link Home} share an Erlang cookie and can form a cluster.
 * Needs the {@code rabbitmq-server} package (CI installs it); elsewhere tests using it are skipped.
 */
public final class RabbitNode implements AutoCloseable {
    private static final Path BIN = Path.of("/usr/lib/rabbitmq/bin");
    private static final long START_TIMEOUT_MS = 90_000;

    private final String nodeName;
    private final Path dir;
    private final Home home;
    private final int amqpPort;
    private final int distPort;
    private Process process;

    /** A directory shared by nodes that may join each other: their {@code HOME}, holding the Erlang cookie. */
    public record Home(Path dir) {
        public static Home create() {
            try {
                Path dir = Path.of("target", "rabbit", "home-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
                Files.createDirectories(dir);
                Path cookie = dir.resolve(".erlang.cookie");
                Files.writeString(cookie, UUID.randomUUID().toString().replace("-", "").toUpperCase(), StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
                return new Home(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private RabbitNode(String name, Home home) throws IOException {
        this.nodeName = "drover-it-" + name + "-" + UUID.randomUUID().toString().substring(0, 6) + "@localhost";
        this.home = home;
        this.dir = Path.of("target", "rabbit", nodeName.substring(0, nodeName.indexOf('@'))).toAbsolutePath();
        this.amqpPort = freePort();
        this.distPort = freePort();
        Files.createDirectories(dir.resolve("mnesia"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
                "listeners.tcp.1 = 127.0.0.1:" + amqpPort,
                "loopback_users = none",
                "log.console = false",
                "log.file.level = info",
                "") );
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        Files.writeString(dir.resolve("env.conf"), "");
    }

    /** Whether this machine can run one (the {@code rabbitmq-server} package is installed). */
    public static boolean available() {
        return Files.isExecutable(BIN.resolve("rabbitmq-server")) && Files.isExecutable(BIN.resolve("rabbitmqctl"));
    }

    /** Starts a standalone node; under {@code CI=true} a machine without RabbitMQ is a failure, elsewhere a skip. */
    public static RabbitNode start(String name) {
        return start(name, Home.create());
    }

    /** Starts a node sharing {@code home} (and so the cookie) with others, e.g. to cluster them. */
    public static RabbitNode start(String name, Home home) {
        if (!available()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("rabbitmq-server is not installed, but CI=true: .ci/run must install it");
            }
            Assumptions.abort("rabbitmq-server is not installed; these tests start RabbitMQ nodes of their own");
        }
        try {
            RabbitNode node = new RabbitNode(name, home);
            node.launch();
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code size} nodes sharing one {@link Home} (so one Erlang cookie of their own, never
     * {@code ~/.erlang.cookie}) and joins the others to the first: a cluster of this machine's own. When one fails to
     * start or join, those already started are stopped before the failure is thrown (a skip, where RabbitMQ is not
     * installed, too).
     */
    public static List<RabbitNode> cluster(String name, int size) {
        Home home = Home.create();
        // The nodes boot at once (most of a boot is waiting), then join the first one by one.
        List<java.util.concurrent.CompletableFuture<RabbitNode>> booting = new ArrayList<>();
        java.util.concurrent.ExecutorService boots = java.util.concurrent.Executors.newFixedThreadPool(size);
        try {
            for (int i = 1; i <= size; i++) {
                String each = name + "-" + i;
                booting.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> start(each, home), boots));
            }
        } finally {
            boots.shutdown();
        }
        List<RabbitNode> nodes = new ArrayList<>();
        Throwable failure = null;
        for (var boot : booting) {
            try {
                nodes.add(boot.join());
            } catch (java.util.concurrent.CompletionException e) {
                failure = failure == null ? e.getCause() : failure;
            }
        }
        try {
            if (failure != null) {
                throw failure;
            }
            for (RabbitNode node : nodes.subList(1, nodes.size())) {
                node.joinCluster(nodes.get(0));
            }
            return List.copyOf(nodes);
        } catch (Throwable e) {
            nodes.forEach(RabbitNode::close);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e);
        }
    }

    /** Whether the Erlang node runs (it may have been {@link #stop() stopped} and not yet restarted). */
    public boolean running() {
        return process != null && process.isAlive();
    }

    private Map<String, String> environment() {
        return Map.ofEntries(
                Map.entry("HOME", home.dir().toString()),
                Map.entry("RABBITMQ_NODENAME", nodeName),
                Map.entry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
                Map.entry("RABBITMQ_NODE_PORT", String.valueOf(amqpPort)),
                Map.entry("RABBITMQ_DIST_PORT", String.valueOf(distPort)),
                Map.entry("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString()),
                Map.entry("RABBITMQ_LOG_BASE", dir.resolve("log").toString()),
                Map.entry("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq").toString()),
                Map.entry("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString()),
                Map.entry("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString()),
                Map.entry("RABBITMQ_PID_FILE", dir.resolve("pid").toString()),
                Map.entry("RABBITMQ_CONF_ENV_FILE", dir.resolve("env.conf").toString()),
                Map.entry("ERL_EPMD_ADDRESS", "127.0.0.1"),
                Map.entry("ERL_FLAGS", "-kernel inet_dist_use_interface {127,0,0,1}"));
    }

    private void launch() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(BIN.resolve("rabbitmq-server").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.out").toFile());
        builder.environment().putAll(environment());
        process = builder.start();
        ProcessTracker.INSTANCE.track(this);
        awaitRunning();
    }

    private void awaitRunning() {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("RabbitMQ node " + nodeName + " exited with " + process.exitValue() + ": "
                        + tail(dir.resolve("server.out")));
            }
            if (ctlQuiet("await_startup", "--timeout", "5") && portOpen()) {
                return;
            }
            sleep(250);
        }
        throw new IllegalStateException("RabbitMQ node " + nodeName + " did not start in " + START_TIMEOUT_MS / 1000 + " s: "
                + tail(dir.resolve("server.out")));
    }

    /** The node's AMQP URI (guest/guest on 127.0.0.1). */
    public String amqpUri() {
        return "amqp://guest:guest@127.0.0.1:" + amqpPort;
    }

    public BrokerConnector connector() {
        return BrokerConnector.of(amqpUri());
    }

    public int amqpPort() {
        return amqpPort;
    }

    public String nodeName() {
        return nodeName;
    }

    /** The directory holding the node's Erlang cookie: {@code HOME} for a {@code rabbitmqctl} of the test's own. */
    public Home home() {
        return home;
    }

    /** The path of {@code rabbitmqctl}. */
    public static Path rabbitmqctl() {
        return BIN.resolve("rabbitmqctl");
    }

    /** Runs {@code rabbitmqctl -n NODE args...}; returns its output, or throws with it when it fails. */
    public String ctl(String... args) {
        Result result = run(args);
        if (result.exit != 0) {
            throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " on " + nodeName + " exited with "
                    + result.exit + ": " + result.output);
        }
        return result.output;
    }

    private boolean ctlQuiet(String... args) {
        return run(args).exit == 0;
    }

    private record Result(int exit, String output) {
    }

    /** Enables a plugin on this node only (its own enabled-plugins file), e.g. {@code rabbitmq_federation}. */
    public void enablePlugin(String plugin) {
        List<String> command = List.of(BIN.resolve("rabbitmq-plugins").toString(), "-q", "-n", nodeName, "enable", plugin);
        Result result = exec(command);
        if (result.exit != 0) {
            throw new IllegalStateException("rabbitmq-plugins enable " + plugin + " on " + nodeName + " exited with " + result.exit
                    + ": " + result.output);
        }
    }

    private Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("rabbitmqctl").toString(), "-q", "-n", nodeName));
        command.addAll(List.of(args));
        return exec(command);
    }

    private Result exec(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment());
        try {
            Process ctl = builder.start();
            ctl.getOutputStream().close();
            byte[] out = ctl.getInputStream().readAllBytes();
            if (!ctl.waitFor(120, TimeUnit.SECONDS)) {
                ctl.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(ctl.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** The operating-system process id of the node's Erlang VM, e.g. to read its RSS and file descriptors in /proc. */
    public long osPid() {
        return Long.parseLong(ctl("eval", "os:getpid().").replace("\"", "").strip());
    }

    /** Stops the RabbitMQ application (every connection drops) and keeps the Erlang node running. */
    public void stopApp() {
        ctl("stop_app");
    }

    /** Starts the application again after {@link #stopApp()}, and waits until it accepts connections. */
    public void startApp() {
        ctl("start_app");
        awaitRunning();
    }

    /**
     * Freezes the node's Erlang VM (SIGSTOP): a broker that stops answering without closing anything, as one swapped
     * out or stuck would. {@link #thaw()} lets it go on; {@link #close()} thaws it first.
     */
    public void freeze() {
        frozenPid = ctl("eval", "os:getpid().").trim().replace("\"", "");
        signal("STOP", frozenPid);
    }

    public void thaw() {
        if (frozenPid != null) {
            signal("CONT", frozenPid);
            frozenPid = null;
        }
    }

    private volatile String frozenPid;

    private static void signal(String signal, String pid) {
        if (!pid.matches("[0-9]+")) {
            throw new IllegalStateException("not a process id: " + pid);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, pid).redirectErrorStream(true).start();
            if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Suspends every queue process of the node: its connections stay up and answer heartbeats, but anything that
     * needs a queue (consume, cancel, declare of an existing queue) waits, as on a broker too loaded to answer.
     * {@link #resumeQueues()} lets them go on.
     */
    public void suspendQueues() {
        ctl("eval", "[sys:suspend(amqqueue:get_pid(Q)) || Q <- rabbit_amqqueue:list()], ok.");
    }

    public void resumeQueues() {
        ctl("eval", "[catch sys:resume(amqqueue:get_pid(Q)) || Q <- rabbit_amqqueue:list()], ok.");
    }

    /** Raises (or clears) a memory alarm: the broker then blocks every publishing connection. */
    public void memoryAlarm(boolean on) {
        ctl("set_vm_memory_high_watermark", on ? "0.000001" : "0.4");
    }

    /** Joins {@code other}'s cluster (both nodes must share a {@link Home}). */
    public void joinCluster(RabbitNode other) {
        ctl("stop_app");
        ctl("reset");
        ctl("join_cluster", other.nodeName);
        startApp();
    }

    /** Stops the node as an operator would ({@code rabbitmqctl stop}); {@link #launch} again with {@link #restart()}. */
    public void stop() {
        if (process == null) {
            return;
        }
        run("stop");
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the stopped node again with the same name, ports and data. */
    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the node and deletes its data. */
    @Override
    public void close() {
        thaw();
        stop();
        ProcessTracker.INSTANCE.untrack(this);
        // Children the wrapper script started (epmd stays: it is shared with the system broker).
        ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(nodeName)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // target/ is cleaned by the next build
        }
    }

    @Override
    public String toString() {
        return "RabbitMQ node " + nodeName + " on 127.0.0.1:" + amqpPort;
    }

    private boolean portOpen() {
        try (Socket socket = new Socket("127.0.0.1", amqpPort)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops every node still running when the test JVM exits, so no test leaves a broker behind. */
    private enum ProcessTracker {
        INSTANCE;

        private final List<RabbitNode> running = new ArrayList<>();

        ProcessTracker() {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                List<RabbitNode> left;
                synchronized (this) {
                    left = new ArrayList<>(running);
                }
                left.forEach(RabbitNode::close);
            }, "rabbit-node cleanup"));
        }

        synchronized void track(RabbitNode node) {
            if (!running.contains(node)) {
                running.add(node);
            }
        }

        synchronized void untrack(RabbitNode node) {
            running.remove(node);
        }
    }
}
