package io.drover.agent;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.RpcutilCatalog;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** One managed node: its identity, classes, facts and enabled agent plugins. */
public final class Node implements NodeContext {
    private final NodeSpec spec;
    private final String version;
    private final Map<String, AgentPlugin> plugins;
    private final Set<String> agentNames;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>(4);
    private final ReplayGuard replayGuard = new ReplayGuard();

    private Node(NodeSpec spec, String version, Plugins registry) {
        this.spec = spec;
        this.version = version;
        Map<String, AgentPlugin> built = new LinkedHashMap<>();
        built.put(RpcutilCatalog.AGENT, checked(RpcutilCatalog.AGENT, registry.factory(RpcutilCatalog.AGENT)
                .create(Settings.empty("agents." + RpcutilCatalog.AGENT), this)));
        for (Map.Entry<String, Map<String, Object>> entry : spec.agents().entrySet()) {
            if (entry.getKey().equals(RpcutilCatalog.AGENT)) {
                continue;
            }
            Settings settings = new Settings("agents." + entry.getKey() + " of " + spec.identity(), entry.getValue(), spec.configDir());
            built.put(entry.getKey(), checked(entry.getKey(), registry.factory(entry.getKey()).create(settings, this)));
            settings.requireAllRead();
        }
        this.plugins = Collections.unmodifiableMap(built);
        this.agentNames = Collections.unmodifiableSet(built.keySet());
    }

    /**
     * A plugin whose name, catalog and actions agree; one that offers what its catalog does not declare, or
     * declares what it does not offer, would be validated against the wrong declaration, so it is refused.
     */
    private static AgentPlugin checked(String name, AgentPlugin plugin) {
        String problem = null;
        if (!name.equals(plugin.name()) || !name.equals(plugin.catalog().name())) {
            problem = "is configured as '" + name + "' but calls itself '" + plugin.name() + "' and its catalog '"
                    + plugin.catalog().name() + "'";
        } else if (!plugin.catalog().actionNames().equals(plugin.actions().stream().map(Action::name).toList())) {
            problem = "offers the actions " + plugin.actions().stream().map(Action::name).toList() + " but its catalog declares "
                    + plugin.catalog().actionNames();
        } else if (plugin.actions().stream().anyMatch(action -> action.spec() != plugin.catalog().action(action.name()))) {
            problem = "binds handlers to action declarations that are not its catalog's";
        }
        if (problem != null) {
            throw new ConfigException("Agent plugin " + plugin.getClass().getName() + " " + problem
                    + "; bind its handlers with Actions.of(catalog) so the two agree");
        }
        return plugin;
    }

    /** Builds a node and its plugins; a configuration problem throws {@link io.drover.agent.plugin.ConfigException}. */
    public static Node build(NodeSpec spec, Plugins registry) {
        return new Node(spec, AgentVersion.current(), registry);
    }

    @Override
    public String identity() {
        return spec.identity();
    }

    @Override
    public Set<String> classes() {
        return spec.classes();
    }

    @Override
    public Map<String, Object> facts() {
        return spec.facts();
    }

    @Override
    public Set<String> agents() {
        return agentNames;
    }

    @Override
    public List<String> collectives() {
        return spec.collectives();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Collection<AgentPlugin> plugins() {
        return plugins.values();
    }

    public AgentPlugin plugin(String name) {
        return plugins.get(name);
    }

    /** The plugin of type {@code type}, for tests and the sandbox that reach into providers. */
    public <T extends AgentPlugin> T plugin(String name, Class<T> type) {
        return type.cast(plugins.get(name));
    }

    ReentrantLock lockFor(String pluginName) {
        return locks.computeIfAbsent(pluginName, name -> new ReentrantLock());
    }

    ReplayGuard replayGuard() {
        return replayGuard;
    }

    @Override
    public String toString() {
        return spec.identity();
    }
}
