package io.drover.sandbox;

import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.security.RequestSecurity;
import io.drover.transport.BrokerConnector;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Many emulated nodes in one JVM: the real agent code (request handling, validation, plugins) with sandbox
 * providers, sharing a few broker connections.
 */
public final class EmulatedFleet implements AutoCloseable {
    private final FleetSpec spec;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final NodeHost host;

    private EmulatedFleet(FleetSpec spec, BrokerConnector broker, RequestSecurity security, NodeHost.Options options) {
        this.spec = spec;
        for (NodeSpec nodeSpec : spec.nodes()) {
            nodes.put(nodeSpec.identity(), Node.build(nodeSpec, Plugins.installed()));
        }
        RequestHandler handler = new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false, security);
        this.host = new NodeHost(broker, handler, options);
    }

    /** Builds every node of {@code spec}, obeying unsigned requests, and connects them. */
    public static EmulatedFleet start(FleetSpec spec, BrokerConnector broker, String name) throws IOException, TimeoutException {
        return start(spec, broker, name, RequestSecurity.none());
    }

    /** Builds every node of {@code spec} and connects them; returns when all are consuming. */
    public static EmulatedFleet start(FleetSpec spec, BrokerConnector broker, String name, RequestSecurity security)
            throws IOException, TimeoutException {
        return start(spec, broker, security, NodeHost.Options.fleet(name));
    }

    /** Builds every node of {@code spec} and connects them with the given threads and connection layout. */
    public static EmulatedFleet start(FleetSpec spec, BrokerConnector broker, RequestSecurity security, NodeHost.Options options)
            throws IOException, TimeoutException {
        EmulatedFleet fleet = new EmulatedFleet(spec, broker, security, options);
        try {
            fleet.host.add(new ArrayList<>(fleet.nodes.values()));
        } catch (IOException | TimeoutException | RuntimeException e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    public String collective() {
        return spec.collective();
    }

    /** The emulated node, to reach into its sandbox providers (e.g. to break a package in a test). */
    public Node node(String identity) {
        Node node = nodes.get(identity);
        if (node == null) {
            throw new IllegalArgumentException("No emulated node " + identity + "; the fleet has " + nodes.keySet());
        }
        return node;
    }

    public List<String> identities() {
        return Collections.unmodifiableList(new ArrayList<>(nodes.keySet()));
    }

    /** Disconnects one node as if its agent stopped. */
    public void stop(String identity) throws IOException {
        node(identity);
        host.remove(identity);
    }

    public int size() {
        return nodes.size();
    }

    @Override
    public void close() {
        host.close();
    }
}
