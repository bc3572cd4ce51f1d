package io.drover;

import io.drover.agent.NodeSpec;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.catalog.IpAddress;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.testing.FeatureRun;
import io.drover.testing.RabbitNode;
import io.drover.testing.StepProbes;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed deploy on a 3-node RabbitMQ cluster of this machine's own (own node names, ports, data directories and
 * Erlang cookie; the system broker is untouched): the emulated agents are spread over nodes 1 and 2 (each list
 * starts with its node), the runner is on node 3. Each node in turn is stopped mid-deploy, right after the load
 * balancer was blocked: the agents fail over, the deploy passes or fails naming the cause, and once the node is
 * back a rerun passes. Every node is stopped and its data deleted afterwards (a shutdown hook does it if the JVM
 * ends first).
 */
class ClusterIT {
    private static final Path SEED = Path.of("features/deploy.feature");
    private static final Path REPORTS = Path.of("target/cluster");
    private static final String STOP_AFTER = "I block the load balancer";
    private static final List<String> DE_DEV = List.of("dev1.de.example.com", "dev2.de.example.com", "dev3.de.example.com",
            "dev4.de.example.com");
    /**
     * What a failed deploy must name when an agents' node stopped under it: hosts whose queue was gone a moment, or an
     * agent refusing a request sent just before it began serving again on the next node.
     */
    private static final List<String> AGENTS_NODE_CAUSES = List.of("not connected: the broker has no queue for this node",
            "agent disconnected during the call", "before this node began serving");
    /** ... and when the runner's node stopped: its connection, or the deploy lock that went with it. */
    private static final List<String> RUNNER_NODE_CAUSES = List.of("Broker connection: the runner lost its broker connection",
            "The deploy lock of 4 host(s) was lost");

    @Test
    void theSeedDeploySurvivesEachNodeStoppingInTurn() throws Exception {
        List<RabbitNode> nodes = RabbitNode.cluster("cluster", 3);
        List<AutoCloseable> opened = new ArrayList<>();
        String collective = "it-cluster-" + UUID.randomUUID().toString().substring(0, 8);
        DroverSession previous = null;
        try {
            BrokerConnector onNode1 = connector(nodes, 0, 1, 2);
            BrokerConnector onNode2 = connector(nodes, 1, 0, 2);
            BrokerConnector onNode3 = connector(nodes, 2, 0, 1);
            FleetSpec seed = FleetSpec.load(Path.of("sandbox/fleet.yaml"));
            List<NodeSpec> first = new ArrayList<>();
            List<NodeSpec> second = new ArrayList<>();
            for (NodeSpec node : seed.nodes()) {
                NodeSpec ours = new NodeSpec(node.identity(), List.of(collective), node.classes(), node.facts(), node.agents());
                // Alternate, so the four hosts the seed deploys are on both nodes.
                (first.size() <= second.size() ? first : second).add(ours);
            }
            EmulatedFleet agents1 = EmulatedFleet.start(new FleetSpec(collective, first), onNode1, "cluster agents 1");
            opened.add(agents1::close);
            EmulatedFleet agents2 = EmulatedFleet.start(new FleetSpec(collective, second), onNode2, "cluster agents 2");
            opened.add(agents2::close);
            DroverClient client = DroverClient.connect(onNode3, ClientOptions.defaults().withCollective(collective));
            opened.add(client);
            previous = DroverSession.install(DroverSession.of(RunnerConfig.read(Map.<String, String>of()::get, env -> null), client, null));
            assertEquals(nodes.get(0).amqpPort(), portOf(nodes.get(1), "cluster agents 1"), "agents 1 start on node 1");
            assertEquals(nodes.get(1).amqpPort(), portOf(nodes.get(0), "cluster agents 2"), "agents 2 start on node 2");
            assertEquals(nodes.get(2).amqpPort(), portOf(nodes.get(0), "drover client "), "the runner starts on node 3");

            FeatureRun before = FeatureRun.of(SEED, REPORTS, "whole-cluster");
            assertEquals(1, before.passedScenarios(), () -> before.failureMessage().orElse(""));

            for (int index = 0; index < nodes.size(); index++) {
                int k = index;
                RabbitNode stopped = nodes.get(k);
                RabbitNode surviving = nodes.get((k + 1) % nodes.size());
                FeatureRun run = runStopping(stopped, "stop-node-" + (k + 1));
                assertFalse(stopped.running(), "node " + (k + 1) + " was stopped mid-deploy");
                if (run.failedScenarios() > 0) {
                    String message = run.failureMessage().orElse("");
                    List<String> causes = k == 2 ? RUNNER_NODE_CAUSES : AGENTS_NODE_CAUSES;
                    assertTrue(causes.stream().anyMatch(message::contains),
                            "stopping node " + (k + 1) + " failed the deploy without naming the cause:\n" + message);
                }
                // Every agent and the runner are on a node that runs.
                for (String connection : List.of("cluster agents 1", "cluster agents 2", "drover client ")) {
                    awaitMoved(surviving, connection, stopped.amqpPort());
                }

                stopped.restart();
                FeatureRun rerun = FeatureRun.of(SEED, REPORTS, "rerun-after-node-" + (k + 1));
                assertEquals(1, rerun.passedScenarios(), () -> "rerun after node " + (k + 1) + " stopped and came back:\n"
                        + rerun.failureMessage().orElse(""));
                for (String host : DE_DEV) {
                    EmulatedFleet fleet = first.stream().anyMatch(n -> n.identity().equals(host)) ? agents1 : agents2;
                    assertFalse(fleet.node(host).plugin("firewall", FirewallAgent.class).firewall()
                            .isBlocked(IpAddress.parse("192.168.1.1")), host + " converged: unblocked");
                    assertEquals("4.2.6-3.el5", ((SandboxPackages) fleet.node(host).plugin("package", PackageAgent.class).packages())
                            .status("mywebapp").version(), host + " converged: updated");
                }
            }
            registryOutlivesItsNode(nodes, collective, seed.nodes().size());
        } finally {
            // Always: the session installed above must not outlive this test (null restores "the configured one").
            DroverSession.install(previous);
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception e) {
                    // the nodes go next, whatever the agents and runner did
                }
            }
            cleanUp(nodes, collective);
            nodes.forEach(RabbitNode::close);
        }
    }

    /**
     * A new runner (every {@code mvn verify} is one) reads the fleet registry whole at its first discovery. It must do so
     * with any one node down, the one the registry queue lives on (its leader, when replicated) included: else no deploy
     * of the collective could start until that node came back.
     */
    private static void registryOutlivesItsNode(List<RabbitNode> nodes, String collective, int hosts) throws Exception {
        int home = registryHome(nodes, collective);
        nodes.get(home).stop();
        // The agents that were on that node answer once they have failed over; the registry must be readable at once.
        for (String connection : List.of("cluster agents 1", "cluster agents 2")) {
            awaitMoved(nodes.get((home + 1) % 3), connection, nodes.get(home).amqpPort());
        }
        try (DroverClient fresh = DroverClient.connect(connector(nodes, (home + 1) % 3, (home + 2) % 3, home),
                ClientOptions.defaults().withCollective(collective))) {
            io.drover.client.Discovery all = fresh.discover(io.drover.filter.Filter.all());
            assertEquals("the fleet registry", all.expectedFrom(), "a new runner read the registry with node " + (home + 1) + " down");
            assertEquals(hosts, all.size(), () -> "found " + all.identities() + ", missing " + all.missing());
            assertTrue(all.complete(), () -> "missing " + all.missing() + ", refused " + all.refused());
        } finally {
            nodes.get(home).restart();
        }
    }

    /** Which node leads the (replicated) registry queue, from the cluster's own listing. */
    private static int registryHome(List<RabbitNode> nodes, String collective) {
        String listing = nodes.get(0).ctl("list_queues", "--no-table-headers", "name", "type", "pid", "leader");
        String line = listing.lines().filter(l -> l.startsWith(Topology.registryQueue(collective) + "\t")).findFirst()
                .orElseThrow(() -> new AssertionError("no registry queue in:\n" + listing));
        String[] columns = line.split("\t");
        assertEquals("quorum", columns[1], "agents and runners listing the cluster's nodes replicate the registry: " + line);
        String where = columns[3];
        for (int i = 0; i < nodes.size(); i++) {
            if (where.contains(nodes.get(i).nodeName())) {
                return i;
            }
        }
        throw new AssertionError("the registry queue's node is none of the cluster's: " + line);
    }

    /** A connector listing the cluster's nodes in this order. */
    private static BrokerConnector connector(List<RabbitNode> nodes, int... order) {
        List<URI> uris = new ArrayList<>();
        for (int i : order) {
            uris.add(URI.create(nodes.get(i).amqpUri()));
        }
        return BrokerConnector.of(uris);
    }

    /** Runs the seed, stopping {@code node} (synchronously, once) right after the load balancer was blocked. */
    private static FeatureRun runStopping(RabbitNode node, String name) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        try (AutoCloseable listening = StepProbes.install(step -> {
            if (step.equals(STOP_AFTER) && done.compareAndSet(false, true)) {
                node.stop();
            }
        })) {
            return FeatureRun.of(SEED, REPORTS, name, List.of(StepProbes.class.getName()));
        }
    }

    /**
     * The AMQP port (so the node: each has its own) of the connection whose name starts with {@code prefix}, as
     * {@code ask} sees the cluster ({@code list_connections} covers every node); -1 when there is none.
     */
    private static int portOf(RabbitNode ask, String prefix) {
        // The connection's own name is in its client properties ("name" is its addresses).
        for (String line : ask.ctl("list_connections", "client_properties", "port").lines().toList()) {
            int tab = line.lastIndexOf('\t');
            if (tab > 0 && line.substring(0, tab).contains("\"" + prefix)) {
                return Integer.parseInt(line.substring(tab + 1).strip());
            }
        }
        return -1;
    }

    /** Waits (up to a minute) until that connection is open on a node other than the one on port {@code gone}. */
    private static void awaitMoved(RabbitNode ask, String prefix, int gone) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        int on = portOf(ask, prefix);
        while ((on < 0 || on == gone) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            on = portOf(ask, prefix);
        }
        assertTrue(on >= 0 && on != gone, prefix + " did not fail over from the stopped node (port " + gone + "): " + on);
    }

    private static void cleanUp(List<RabbitNode> nodes, String collective) {
        for (RabbitNode node : nodes) {
            if (!node.running()) {
                continue;
            }
            try (var connection = node.connector().connect("cluster test cleanup"); var channel = connection.createChannel()) {
                Topology.deleteExchanges(channel, collective);
                Topology.deleteRegistry(channel, collective);
                return;
            } catch (Exception e) {
                // the nodes are deleted next anyway
            }
        }
    }
}
