package io.drover.agent;

import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.agents.nrpe.NrpeAgent;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.rpcutil.RpcutilAgent;
import io.drover.agents.service.ServiceAgent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agent plugins a node can enable, by name. */
public final class Plugins {
    private static final Plugins BUILT_IN = new Plugins(List.of(new RpcutilAgent.Factory(), new FirewallAgent.Factory(),
            new PackageAgent.Factory(), new ServiceAgent.Factory(), new NrpeAgent.Factory()));

    private final Map<String, PluginFactory> factories = new LinkedHashMap<>();

    public Plugins(List<PluginFactory> factories) {
        for (PluginFactory factory : factories) {
            this.factories.put(factory.name(), factory);
        }
    }

    /** rpcutil, firewall, package, service and nrpe. */
    public static Plugins builtIn() {
        return BUILT_IN;
    }

    public PluginFactory factory(String name) {
        PluginFactory factory = factories.get(name);
        if (factory == null) {
            throw new ConfigException("Unknown agent plugin '" + name + "'; available: " + String.join(", ", factories.keySet()));
        }
        return factory;
    }
}
