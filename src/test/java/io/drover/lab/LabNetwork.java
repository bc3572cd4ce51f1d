package io.drover.lab;

import io.drover.agent.command.Command;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.testing.NetnsPair;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The lab's private network: a bridge the test creates, and network namespaces joined to it by one veth pair
 * each. The bridge has the only host-side address ({@link #bridgeAddress()}, where the test's broker listens),
 * in a random 10.78.X.0/24; hosts get addresses in it inside their namespaces. The load balancer's namespace has
 * {@code 192.168.1.1/32} only (the address the seed feature names) with a route into the lab subnet, and every
 * host a route back to that one address over the bridge, so 192.168.1.0/24 never appears on the host. The
 * host-side veth ends and the bridge get no IPv6 link-local addresses. {@link #close()} deletes the namespaces
 * (and with them the veth pairs) and the bridge; a shutdown hook does the same if the JVM ends first.
 */
final class LabNetwork implements AutoCloseable {
    /** Every namespace of a lab starts with this: {@code ip netns list | grep drv-lab-}. */
    static final String PREFIX = "drv-lab-";
    private static final ProcessCommandRunner HOST = new ProcessCommandRunner(List.of(), Duration.ofSeconds(30), 64 * 1024);

    private final String id;
    private final int subnet;
    private final String bridge;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final Thread cleanupHook = new Thread(this::cleanUp, "lab network cleanup");

    private LabNetwork(String id, int subnet) {
        this.id = id;
        this.subnet = subnet;
        this.bridge = "dlb" + id;
    }

    /** Creates the bridge with its address; on failure, removes what it made. */
    static LabNetwork create() throws IOException {
        SecureRandom random = new SecureRandom();
        LabNetwork network = new LabNetwork(HexFormat.of().formatHex(random.generateSeed(3)), freeSubnet(random));
        Runtime.getRuntime().addShutdownHook(network.cleanupHook);
        try {
            NetnsPair.host("ip", "link", "add", "name", network.bridge, "type", "bridge");
            network.links.add(network.bridge);
            NetnsPair.host("ip", "link", "set", "dev", network.bridge, "addrgenmode", "none");
            NetnsPair.host("ip", "address", "add", network.bridgeAddress() + "/24", "dev", network.bridge);
            NetnsPair.host("ip", "link", "set", "dev", network.bridge, "up");
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** A 10.78.X.0/24 that no route of the host mentions, so the lab shadows nothing. */
    private static int freeSubnet(SecureRandom random) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate = 1 + random.nextInt(253);
            if (NetnsPair.host("ip", "-4", "route", "show", "root", "10.78." + candidate + ".0/24").stdout().isBlank()) {
                return candidate;
            }
        }
        throw new IOException("no free 10.78.X.0/24 for the lab network");
    }

    /** Where the host (the test's broker) is reachable from the lab. */
    String bridgeAddress() {
        return address(254);
    }

    /** The lab subnet's address {@code host}, 1 to 253. */
    String address(int host) {
        return "10.78." + subnet + "." + host;
    }

    /**
     * A namespace on the bridge with {@link #address(int) address(host)}/24 on its {@code eth0} and a route to
     * {@code loadBalancer}; returns its name.
     */
    String addHost(int host, String loadBalancer) throws IOException {
        String namespace = join("h" + host);
        NetnsPair.inside(namespace, "ip", "address", "add", address(host) + "/24", "dev", "eth0");
        NetnsPair.inside(namespace, "ip", "link", "set", "eth0", "up");
        // The load balancer's address is not in the lab subnet: reach it directly over the bridge.
        NetnsPair.inside(namespace, "ip", "route", "add", loadBalancer + "/32", "dev", "eth0");
        return namespace;
    }

    /** The load balancer's namespace: {@code address}/32 only, and the lab subnet reached from that address. */
    String addLoadBalancer(String address) throws IOException {
        String namespace = join("lb");
        NetnsPair.inside(namespace, "ip", "address", "add", address + "/32", "dev", "eth0");
        NetnsPair.inside(namespace, "ip", "link", "set", "eth0", "up");
        NetnsPair.inside(namespace, "ip", "route", "add", address(0) + "/24", "dev", "eth0", "src", address);
        return namespace;
    }

    /** A new namespace whose {@code eth0} is a veth pair's end, the other end on the bridge. */
    private String join(String role) throws IOException {
        String namespace = PREFIX + id + "-" + role;
        String hostEnd = "dl" + id + role;
        namespaces.add(namespace);
        NetnsPair.host("ip", "netns", "add", namespace);
        links.add(hostEnd);
        NetnsPair.host("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        NetnsPair.host("ip", "link", "set", "dev", hostEnd, "addrgenmode", "none");
        NetnsPair.host("ip", "link", "set", "dev", hostEnd, "master", bridge, "up");
        NetnsPair.inside(namespace, "ip", "link", "set", "lo", "up");
        return namespace;
    }

    /** The path nspawn joins: {@code --network-namespace-path}. */
    static Path path(String namespace) {
        return Path.of("/run/netns", namespace);
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
        // The host ends first: deleting one deletes its pair at once, where a deleted namespace (and the pair
        // with it) goes away only when the kernel gets round to it.
        for (String link : links) {
            delete("ip", "link", "delete", link);
        }
        for (String namespace : namespaces) {
            delete("ip", "netns", "delete", namespace);
        }
    }

    private static void delete(String... command) {
        try {
            HOST.run(Command.of(command));
        } catch (ActionFailedException e) {
            // already gone, or reported by leftovers()
        }
    }

    /** What of this network is still there: namespaces in {@code ip netns list}, links in {@code ip link}. */
    List<String> leftovers() throws IOException {
        List<String> left = new ArrayList<>();
        for (String namespace : NetnsPair.namespaces()) {
            if (namespaces.contains(namespace)) {
                left.add("namespace " + namespace);
            }
        }
        for (String line : NetnsPair.host("ip", "-o", "link", "show").stdout().lines().toList()) {
            String name = line.split(": ")[1].split("@")[0];
            if (links.contains(name)) {
                left.add("link " + name);
            }
        }
        return left;
    }
}
