package io.drover.lab;

import io.drover.client.ClientOptions;
import io.drover.testing.TestIssuer;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSigner;
import io.drover.testing.NspawnContainer;
import io.drover.transport.BrokerConnector;
import io.drover.transport.embedded.EmbeddedBroker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Real hosts for the seed deploy, on this machine: {@link #HOSTS} booted as systemd containers, each in its
 * own network namespace on a private bridge ({@link LabNetwork}), each running the agent as
 * {@code drover-agent.service} from the build's .deb and mywebapp from a local apt repository; a load balancer
 * namespace; and a broker for them all: the embedded Qpid broker in this JVM, listening on the bridge's address
 * only (the nodes reach it over the bridge, the test's client over the host side of it, and nothing else
 * does). {@link #close()} takes everything down; {@link #leftovers()} says what, if anything, survived.
 */
final class Lab implements AutoCloseable {
    static final String LOAD_BALANCER = "192.168.1.1";
    static final String CALLER = "lab";
    /** Enrols every lab node; the client trusts only it. */
    private final TestIssuer issuer = TestIssuer.create("lab-issuer");
    private static final String BROKER_USER = "drover-lab";
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> LAB_PROCESSES = List.of("/usr/share/drover/drover-agent.jar", "/usr/share/mywebapp/mywebapp.jar");

    /** A host of the lab: its agent's identity and {@code country} fact; every one has class roles::dev_server. */
    record Host(String identity, String country) {
    }

    /** Three German dev servers the seed deploy updates, and a French one its filter leaves alone. */
    static final List<Host> HOSTS = List.of(new Host("dev1.de.example.com", "de"), new Host("dev2.de.example.com", "de"),
            new Host("dev3.de.example.com", "de"), new Host("dev1.fr.example.com", "fr"));

    private final Path work;
    private final Map<String, LabNode> nodes = new TreeMap<>();
    private final Map<String, Duration> setupTimes = new LinkedHashMap<>();
    private final Thread cleanupHook = new Thread(this::close, "lab cleanup");
    private LabNetwork network;
    private EmbeddedBroker broker;
    private MywebappPackages packages;
    private LoadBalancer loadBalancer;
    private DroverClient client;
    private final List<String> teardown = new ArrayList<>();
    private boolean closed;

    /** An empty lab working in {@code work}; {@link #start} builds it, {@link #close()} takes down what was built. */
    Lab(Path work) {
        this.work = work;
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Builds the lab and waits until every agent answers; what was built before a failure stays for {@link #close()}. */
    void start(Path agentDeb) throws Exception {
        long started = System.nanoTime();
        network = LabNetwork.create();
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withHost(network.bridgeAddress())
                .withCredentials(BROKER_USER, password));
        Path keys = work.resolve("keys");
        KeyFiles.create(keys, CALLER);
        packages = MywebappPackages.build(work);
        lap("network, broker, caller key and packages", started);

        NodeSetup setup = new NodeSetup(agentDeb, keys.resolve(CALLER + ".pub"),
                "amqp://" + network.bridgeAddress() + ":" + broker.port(), BROKER_USER, password, packages, issuer);
        bootAndSetUp(setup);

        long lbStarted = System.nanoTime();
        Map<String, String> addresses = new LinkedHashMap<>();
        nodes.forEach((identity, node) -> addresses.put(identity, node.address()));
        loadBalancer = LoadBalancer.start(network.addLoadBalancer(LOAD_BALANCER), addresses);
        client = DroverClient.connect(BrokerConnector.of(List.of(broker.amqpUri())),
                ClientOptions.defaults().withSigner(RequestSigner.load(keys.resolve(CALLER + ".key"))).withReplyVerifier(issuer.verifier()));
        lap("load balancer and client", lbStarted);
        long waiting = System.nanoTime();
        awaitAgents();
        lap("agents answering", waiting);
        lap("lab ready", started);
    }

    /** Boots every host and sets it up, in parallel: most of the time goes to JVMs and dpkg, not to waiting. */
    private void bootAndSetUp(NodeSetup setup) throws Exception {
        List<String> namespaces = new ArrayList<>();
        for (int i = 0; i < HOSTS.size(); i++) {
            namespaces.add(network.addHost(i + 1, LOAD_BALANCER));
        }
        ExecutorService pool = Executors.newFixedThreadPool(HOSTS.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < HOSTS.size(); i++) {
                Host host = HOSTS.get(i);
                String address = network.address(i + 1);
                String namespace = namespaces.get(i);
                done.add(pool.submit(() -> {
                    long started = System.nanoTime();
                    LabNode node = LabNode.boot(host.identity(), host.country(), address, namespace, BOOT_TIMEOUT);
                    synchronized (nodes) {
                        nodes.put(host.identity(), node);
                    }
                    setup.prepare(node);
                    lap(host.identity() + ": booted in " + node.container().bootTime().toMillis() + " ms, then packages installed",
                            started);
                    return null;
                }));
            }
            // Every host finishes (or fails) before this returns, so close() never races a container still booting.
            Throwable failure = null;
            for (Future<?> future : done) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : e.getCause();
                }
            }
            if (failure instanceof Error error) {
                throw error;
            } else if (failure instanceof Exception exception) {
                throw exception;
            }
        } finally {
            pool.shutdown();
        }
    }

    private void awaitAgents() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Set<String> expected = new TreeSet<>(nodes.keySet());
        Set<String> answering = Set.of();
        while (System.nanoTime() < deadline) {
            answering = client.discover(Filter.all()).identities();
            if (answering.containsAll(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        StringBuilder journals = new StringBuilder();
        for (LabNode node : nodes.values()) {
            if (!answering.contains(node.identity())) {
                journals.append("\n--- ").append(node.identity()).append(" journal:\n").append(node.journal(NodeSetup.AGENT_UNIT));
            }
        }
        throw new AssertionError("agents answering after " + READY_TIMEOUT.toSeconds() + " s: " + answering + " of " + expected + journals);
    }

    private synchronized void lap(String what, long startedNanos) {
        setupTimes.put(what, Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    Map<String, LabNode> nodes() {
        return nodes;
    }

    LabNode node(String identity) {
        return nodes.get(identity);
    }

    /** The German hosts, which the seed deploy targets. */
    List<String> targets() {
        return HOSTS.stream().filter(host -> host.country().equals("de")).map(Host::identity).toList();
    }

    DroverClient client() {
        return client;
    }

    /** Another client of the lab's caller whose every request is a dry run; the caller closes it. */
    DroverClient dryRunClient() throws Exception {
        return DroverClient.connect(BrokerConnector.of(List.of(broker.amqpUri())), client.options().withDryRun(true));
    }

    LoadBalancer loadBalancer() {
        return loadBalancer;
    }

    MywebappPackages packages() {
        return packages;
    }

    /** How long each part of the setup took, in order. */
    synchronized Map<String, Duration> setupTimes() {
        return new LinkedHashMap<>(setupTimes);
    }

    /** What each part of the teardown took, or how it failed. */
    List<String> teardownReport() {
        return List.copyOf(teardown);
    }

    /** Takes the lab down: client, load balancer, containers (in parallel), broker, network. Never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        step("client", () -> {
            if (client != null) {
                client.close();
            }
        });
        step("load balancer probers", () -> {
            if (loadBalancer != null) {
                loadBalancer.close();
            }
        });
        step("containers shut down and removed", () -> {
            List<Thread> stops = new ArrayList<>();
            for (LabNode node : List.copyOf(nodes.values())) {
                Thread stop = new Thread(() -> step("  " + node.identity(), node::shutDown), "stop " + node.identity());
                stop.start();
                stops.add(stop);
            }
            for (Thread stop : stops) {
                stop.join();
            }
        });
        step("broker", () -> {
            if (broker != null) {
                broker.close();
            }
        });
        step("network", () -> {
            if (network != null) {
                network.close();
            }
        });
        teardown.add(String.format("teardown: %d ms", (System.nanoTime() - started) / 1_000_000));
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
    }

    private interface TeardownStep {
        void run() throws Exception;
    }

    private void step(String what, TeardownStep step) {
        long started = System.nanoTime();
        try {
            step.run();
            synchronized (teardown) {
                teardown.add(String.format("%s: %d ms", what, (System.nanoTime() - started) / 1_000_000));
            }
        } catch (Exception | Error e) {
            synchronized (teardown) {
                teardown.add(what + ": FAILED " + e);
            }
        }
    }

    /**
     * What survived {@link #close()}: namespaces, links, mounts, container directories, and processes (nspawn, the
     * containers' inits, agents, mywebapp, probers). Empty when the teardown was complete.
     */
    List<String> leftovers() throws IOException {
        List<String> left = new ArrayList<>();
        if (network != null) {
            left.addAll(network.leftovers());
        }
        Set<Long> inits = new TreeSet<>();
        for (LabNode node : nodes.values()) {
            NspawnContainer container = node.container();
            NspawnContainer.mountsUnder(container.directory()).forEach(mount -> left.add("mount " + mount));
            if (Files.exists(container.directory())) {
                left.add("directory " + container.directory());
            }
            if (container.running()) {
                left.add("systemd-nspawn of " + node.identity());
            }
            inits.add(container.initPid());
        }
        ProcessHandle.allProcesses().forEach(process -> {
            String command = process.info().commandLine().orElse("");
            if (inits.contains(process.pid()) || LAB_PROCESSES.stream().anyMatch(command::contains)
                    || (loadBalancer != null && loadBalancer.pids().contains(process.pid()))) {
                left.add("process " + process.pid() + ": " + command);
            }
        });
        return left;
    }
}
