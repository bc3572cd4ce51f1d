package io.drover.testing;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ActionFailedException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair: a "load balancer" ({@link #lbIpv4()}, {@link #lbIpv6()}) and a
 * "node" ({@link #nodeIpv4()}, {@link #nodeIpv6()}) with a TCP listener in it, and a prober in the load
 * balancer to test whether it can connect. Addresses exist only inside the namespaces, so nothing on the host
 * changes. {@link #close()} stops the processes and deletes both namespaces; a shutdown hook does the same if
 * the JVM ends first.
 */
public final class NetnsPair implements AutoCloseable {
    /** Every namespace tests make starts with this, so leftovers are easy to find: {@code ip netns list}. */
    public static final String PREFIX = "drv-fw-";
    private static final ProcessCommandRunner HOST = new ProcessCommandRunner(List.of(), Duration.ofSeconds(30), 64 * 1024);

    private final String lb;
    private final String node;
    private final int subnet;
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanupHook = new Thread(this::cleanUp, "netns cleanup");
    private NetnsProber prober;
    private int port;

    /** Builds the namespaces, link, addresses and both helper processes; on failure, removes what it made. */
    public NetnsPair() throws IOException {
        SecureRandom random = new SecureRandom();
        String id = HexFormat.of().formatHex(random.generateSeed(3));
        this.lb = PREFIX + id + "-lb";
        this.node = PREFIX + id + "-node";
        this.subnet = 1 + random.nextInt(254);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        try {
            build(id);
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void build(String id) throws IOException {
        host("ip", "netns", "add", lb);
        host("ip", "netns", "add", node);
        // Created right inside the namespaces: the host never sees the link, not even briefly.
        host("ip", "link", "add", "dfw" + id + "l", "netns", lb, "type", "veth", "peer", "name", "dfw" + id + "n", "netns", node);
        configure(lb, "dfw" + id + "l", lbIpv4(), lbIpv6());
        configure(node, "dfw" + id + "n", nodeIpv4(), nodeIpv6());

        Process listener = NetnsProber.startPeer(node, "listen");
        processes.add(listener);
        String first = NetnsProber.readLine(new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8)),
                listener);
        if (first == null || !first.startsWith("listening ")) {
            throw new IOException("the listener in " + node + " did not start: " + first + " " + NetnsProber.stderr(listener));
        }
        port = Integer.parseInt(first.substring("listening ".length()).strip());
        prober = NetnsProber.start(lb);
    }

    private void configure(String namespace, String link, String ipv4, String ipv6) throws IOException {
        inside(namespace, "ip", "link", "set", "lo", "up");
        inside(namespace, "ip", "address", "add", ipv4 + "/24", "dev", link);
        // nodad: usable at once instead of "tentative" for a second or two
        inside(namespace, "ip", "address", "add", ipv6 + "/64", "dev", link, "nodad");
        inside(namespace, "ip", "link", "set", link, "up");
    }

    public String lb() {
        return lb;
    }

    public String node() {
        return node;
    }

    public String lbIpv4() {
        return "10.77." + subnet + ".1";
    }

    public String nodeIpv4() {
        return "10.77." + subnet + ".2";
    }

    public String lbIpv6() {
        return "fd00:77:" + Integer.toHexString(subnet) + "::1";
    }

    public String nodeIpv6() {
        return "fd00:77:" + Integer.toHexString(subnet) + "::2";
    }

    /** The prefix that aims a provider's commands at the node namespace. */
    public List<String> nodePrefix() {
        return List.of("ip", "netns", "exec", node);
    }

    /**
     * Connects from the load balancer to the node's listener at {@code address}: {@code connected drover},
     * {@code timeout}, {@code refused} or {@code error ...}.
     */
    public String connect(String address, Duration timeout) throws IOException {
        return prober.connect(address, port, timeout);
    }

    /** Runs a command inside a namespace; fails unless it exits 0. */
    public static CommandResult inside(String namespace, String... args) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(args));
        return host(full.toArray(String[]::new));
    }

    /** Runs a command on the host; fails unless it exits 0. */
    public static CommandResult host(String... args) throws IOException {
        try {
            return HOST.check(Command.of(args));
        } catch (ActionFailedException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** This pair's namespaces still listed by {@code ip netns list}; empty after {@link #close()}. */
    public List<String> leftovers() throws IOException {
        return namespaces().stream().filter(name -> name.equals(lb) || name.equals(node)).toList();
    }

    /** Names in {@code ip netns list}. */
    public static List<String> namespaces() throws IOException {
        return host("ip", "netns", "list").stdout().lines().map(line -> line.split(" ")[0]).filter(name -> !name.isEmpty()).toList();
    }

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs (or ran) anyway
        }
    }

    private synchronized void cleanUp() {
        if (prober != null) {
            prober.close();
        }
        for (Process process : processes) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        for (String namespace : List.of(lb, node)) {
            try {
                // deleting the namespace also deletes the veth pair
                HOST.run(Command.of("ip", "netns", "delete", namespace));
            } catch (ActionFailedException e) {
                // reported by leftovers()
            }
        }
    }
}
