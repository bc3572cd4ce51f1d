package io.drover.testing;

import io.drover.agent.FatalErrorHandler;
import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.security.ReplyVerifier;
import io.drover.security.RequestSecurity;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Separate agents for integration tests, each with its own connection and worker threads, as separate
 * processes would have, in a throwaway collective so tests never see each other's nodes. Each is enrolled by the
 * fleet's own issuer and signs its replies; {@link #verifier()} checks them.
 */
public final class TestFleet implements AutoCloseable {
    private final BrokerConnector broker;
    private final String collective;
    private final Map<String, NodeHost> agents = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final TestIssuer issuer;

    public TestFleet(BrokerConnector broker) {
        this(broker, "it-" + UUID.randomUUID().toString().substring(0, 8), TestIssuer.create("test-fleet"));
    }

    private TestFleet(BrokerConnector broker, String collective, TestIssuer issuer) {
        this.broker = broker;
        this.collective = collective;
        this.issuer = issuer;
    }

    /** The same fleet's agents on another broker (another site): same collective, enrolled by the same issuer. */
    public TestFleet onBroker(BrokerConnector other) {
        return new TestFleet(other, collective, issuer);
    }

    public String collective() {
        return collective;
    }

    /** Verifies this fleet's replies, as a runner given its issuer ({@code -Ddrover.issuer}) does. */
    public ReplyVerifier verifier() {
        return issuer.verifier();
    }

    /** Writes the fleet issuer's public key into {@code dir}, for a runner's {@code drover.issuer}; returns the file. */
    public java.nio.file.Path writeIssuer(java.nio.file.Path dir) throws java.io.IOException {
        return issuer.writePublic(dir);
    }

    /** Starts an agent for one node and returns when it consumes. */
    public Node start(String identity, Set<String> classes, Map<String, Object> facts, Map<String, Map<String, Object>> agentSettings)
            throws Exception {
        return start(identity, classes, facts, agentSettings, NodeHost.Options.agent(identity));
    }

    /** Starts an agent that never registers in the fleet registry, as agents older than the registry. */
    public Node startUnregistered(String identity, Set<String> classes, Map<String, Object> facts,
                                  Map<String, Map<String, Object>> agentSettings) throws Exception {
        NodeHost.Options options = NodeHost.Options.agent(identity);
        return start(identity, classes, facts, agentSettings, new NodeHost.Options(options.name(), options.threads(),
                options.queueCapacity(), options.nodesPerConnection(), Duration.ZERO));
    }

    /** Starts an agent deciding with {@code handler}, e.g. one whose clock is off. */
    public Node start(String identity, Set<String> classes, Map<String, Object> facts, Map<String, Map<String, Object>> agentSettings,
                      RequestHandler handler) throws Exception {
        return start(identity, classes, facts, agentSettings, NodeHost.Options.agent(identity), handler);
    }

    /** Starts an agent with these host options, e.g. a short registration interval. */
    public Node start(String identity, Set<String> classes, Map<String, Object> facts, Map<String, Map<String, Object>> agentSettings,
                      NodeHost.Options options) throws Exception {
        return start(identity, classes, facts, agentSettings, options, null);
    }

    /** Starts an agent with these host options deciding with {@code handler} (null: the fleet's usual one). */
    public Node start(String identity, Set<String> classes, Map<String, Object> facts, Map<String, Map<String, Object>> agentSettings,
                      NodeHost.Options options, RequestHandler handler) throws Exception {
        Node node = Node.build(new NodeSpec(identity, List.of(collective), classes, facts, agentSettings), Plugins.installed());
        // Every agent signs its replies with a certificate of this fleet's issuer, as enrolled agents do.
        if (handler == null) {
            RequestSecurity security = new RequestSecurity(null, null, null, issuer.signer(identity));
            handler = new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false, security);
        }
        // A fatal error in a test stops that node, never the test JVM.
        NodeHost host = new NodeHost(broker, handler, options.withFatalErrorHandler(FatalErrorHandler.stopNode()));
        try {
            host.add(List.of(node));
        } catch (Exception e) {
            host.close();
            throw e;
        }
        agents.put(identity, host);
        nodes.put(identity, node);
        return node;
    }

    /** The host serving one node, for tests that break it on purpose. */
    public NodeHost host(String identity) {
        return agents.get(identity);
    }

    public Node node(String identity) {
        return nodes.get(identity);
    }

    /** Stops one agent as a clean shutdown would: it says goodbye to the registry, its connection closes, its queue goes. */
    public void stop(String identity) {
        NodeHost host = agents.remove(identity);
        if (host != null) {
            host.close();
        }
    }

    /** Kills one agent: its connection drops without a goodbye, as when the process is killed or the host dies. */
    public void kill(String identity) {
        NodeHost host = agents.remove(identity);
        if (host != null) {
            host.abort();
        }
    }

    /** Sandbox settings for every built-in plugin, as the sandbox fleet has them. */
    public static Map<String, Map<String, Object>> sandboxAgents() {
        Map<String, Map<String, Object>> agents = new LinkedHashMap<>();
        agents.put("firewall", Map.of("provider", "sandbox"));
        agents.put("package", Map.of("provider", "sandbox",
                "installed", Map.of("mywebapp", "4.2.6-2.el5"),
                "available", Map.of("mywebapp", List.of("4.2.6-2.el5", "4.2.6-3.el5"))));
        agents.put("service", Map.of("provider", "sandbox", "services", Map.of("httpd", "running")));
        agents.put("nrpe", Map.of("provider", "sandbox", "timeout", 5, "commands", Map.of(
                "check_load", Map.of("exit", 0, "output", "OK - load average: 0.1|load1=0.1"),
                "check_slow", Map.of("exit", 0, "output", "OK - slow", "delay_ms", 1500))));
        return agents;
    }

    @Override
    public void close() throws java.io.IOException, java.util.concurrent.TimeoutException {
        for (NodeHost host : agents.values()) {
            host.close();
        }
        agents.clear();
        try (var connection = broker.connect("drover test cleanup"); var channel = connection.createChannel()) {
            Topology.deleteExchanges(channel, collective);
            Topology.deleteRegistry(channel, collective);
        }
    }
}
