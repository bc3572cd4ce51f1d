package io.drover.agent;

import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.PluginFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The agent plugins a node can enable, by name: the built-in ones and any plugin jar on the class path, all
 * found through {@link ServiceLoader} ({@code META-INF/services/io.drover.agent.plugin.PluginFactory}).
 */
public final class Plugins {
    private final Map<String, PluginFactory> factories = new LinkedHashMap<>();

    /** @throws ConfigException if two factories share a name */
    public Plugins(List<PluginFactory> factories) {
        for (PluginFactory factory : factories) {
            PluginFactory other = this.factories.putIfAbsent(factory.name(), factory);
            if (other != null) {
                throw new ConfigException("Two agent plugins are named '" + factory.name() + "': " + origin(other)
                        + " and " + origin(factory) + "; remove one of them from the agent's class path");
            }
        }
    }

    /**
     * Every plugin on the class path of the agent: rpcutil, firewall, package, service and nrpe, and any plugin
     * jar beside them.
     *
     * @throws ConfigException if a plugin cannot be loaded or two share a name
     */
    public static Plugins installed() {
        return installed(Plugins.class.getClassLoader());
    }

    /** The plugins {@code loader} finds. */
    public static Plugins installed(ClassLoader loader) {
        List<PluginFactory> found = new ArrayList<>();
        try {
            for (PluginFactory factory : ServiceLoader.load(PluginFactory.class, loader)) {
                found.add(factory);
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigException("An agent plugin on the class path cannot be loaded: " + e.getMessage()
                    + "; check the plugin jar's META-INF/services/" + PluginFactory.class.getName()
                    + " names a public class with a public no-argument constructor", e);
        }
        return new Plugins(found);
    }

    public PluginFactory factory(String name) {
        PluginFactory factory = factories.get(name);
        if (factory == null) {
            throw new ConfigException("Unknown agent plugin '" + name + "'; available: " + String.join(", ", factories.keySet())
                    + ". A plugin of another jar must be on the agent's class path");
        }
        return factory;
    }

    private static String origin(PluginFactory factory) {
        var source = factory.getClass().getProtectionDomain().getCodeSource();
        return factory.getClass().getName() + (source == null || source.getLocation() == null ? "" : " (" + source.getLocation() + ")");
    }
}
