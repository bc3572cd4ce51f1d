package io.drover.lab;

import io.drover.testing.NetnsProber;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * The lab's load balancer: its own namespace on the bridge with the address the seed feature blocks, and one
 * prober per node there, so a connection attempt to every node's web port takes one timeout, not one per node.
 * A node's firewall drops what comes from here while it is blocked: the attempt times out, where a stopped
 * service would refuse it.
 */
final class LoadBalancer implements AutoCloseable {
    /**
     * A SYN over the bridge is answered in well under a millisecond; this much silence means dropped. Below Linux's
     * first SYN retransmission (1 s): with a longer wait, a SYN dropped while a node was blocked was sent again after
     * it was unblocked and connected, so a node blocked for about a second (a batch's whole block) looked reachable
     * and the rolling test's sampler saw no batch out of the load balancer (CI, 2026-11-30).
     */
    static final Duration DROPPED = Duration.ofMillis(400);

    private final Map<String, String> addresses;
    private final Map<String, NetnsProber> probers = new LinkedHashMap<>();
    private final ExecutorService pool;

    private LoadBalancer(Map<String, String> addresses) {
        this.addresses = addresses;
        this.pool = Executors.newFixedThreadPool(addresses.size(), runnable -> {
            Thread thread = new Thread(runnable, "lab lb probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the probers in {@code namespace}, for nodes by identity and address. */
    static LoadBalancer start(String namespace, Map<String, String> nodes) throws IOException {
        LoadBalancer lb = new LoadBalancer(Map.copyOf(nodes));
        try {
            for (String node : nodes.keySet()) {
                lb.probers.put(node, NetnsProber.start(namespace));
            }
        } catch (IOException | RuntimeException e) {
            lb.close();
            throw e;
        }
        return lb;
    }

    /**
     * Connects to every node's web port, at once, until each answer is definite: {@code connected GREETING}, or
     * {@code timeout} (dropped). A refused or silent connection (a service that is just starting, or too slow on a
     * busy machine) is tried again for up to {@code patience}.
     */
    Map<String, String> probe(Duration patience) {
        return probeAll(answer -> answer.startsWith("connected") || answer.equals("timeout"), patience);
    }

    /** Like {@link #probe}, but only a connection is a definite answer: for nodes that must be reachable. */
    Map<String, String> probeUntilConnected(Duration patience) {
        return probeAll(answer -> answer.startsWith("connected"), patience);
    }

    private Map<String, String> probeAll(Predicate<String> definite, Duration patience) {
        Map<String, CompletableFuture<String>> answers = new LinkedHashMap<>();
        for (Map.Entry<String, NetnsProber> prober : probers.entrySet()) {
            answers.put(prober.getKey(), CompletableFuture.supplyAsync(() -> attempts(prober.getValue(),
                    addresses.get(prober.getKey()), definite, patience), pool));
        }
        Map<String, String> results = new TreeMap<>();
        answers.forEach((node, answer) -> results.put(node, answer.join()));
        return results;
    }

    private static String attempts(NetnsProber prober, String address, Predicate<String> definite, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            while (true) {
                String answer = prober.connect(address, MywebappPackages.PORT, DROPPED);
                if (definite.test(answer) || System.nanoTime() > deadline) {
                    return answer;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** What every node is expected to answer: {@code answer} for {@code nodes}, {@code others} for the rest. */
    Map<String, String> expect(List<String> nodes, String answer, String others) {
        Map<String, String> expected = new TreeMap<>();
        addresses.keySet().forEach(node -> expected.put(node, nodes.contains(node) ? answer : others));
        return expected;
    }

    /** The probers' processes. */
    Set<Long> pids() {
        Set<Long> pids = new HashSet<>();
        probers.values().forEach(prober -> pids.add(prober.pid()));
        return pids;
    }

    @Override
    public void close() {
        probers.values().forEach(NetnsProber::close);
        pool.shutdownNow();
    }
}
