package io.drover.agents.rpcutil;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Actions;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.AgentCatalog;
import io.drover.filter.FactPath;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.drover.catalog.RpcutilCatalog.AGENTS;
import static io.drover.catalog.RpcutilCatalog.CATALOG;
import static io.drover.catalog.RpcutilCatalog.CLASSES;
import static io.drover.catalog.RpcutilCatalog.COLLECTIVES;
import static io.drover.catalog.RpcutilCatalog.FACT;
import static io.drover.catalog.RpcutilCatalog.FACTS;
import static io.drover.catalog.RpcutilCatalog.GET_FACT;
import static io.drover.catalog.RpcutilCatalog.IDENTITY;
import static io.drover.catalog.RpcutilCatalog.INVENTORY;
import static io.drover.catalog.RpcutilCatalog.PING;
import static io.drover.catalog.RpcutilCatalog.PONG;
import static io.drover.catalog.RpcutilCatalog.VALUE;
import static io.drover.catalog.RpcutilCatalog.VERSION;

/** The {@code rpcutil} agent, always enabled: ping (used by discovery), inventory, get_fact. */
public final class RpcutilAgent implements AgentPlugin {
    private final List<Action> actions;

    public RpcutilAgent(NodeContext node) {
        this.actions = Actions.of(CATALOG)
                .readOnly(PING, inputs -> ActionResult.of("pong", Map.of(PONG, System.currentTimeMillis())))
                .readOnly(INVENTORY, inputs -> ActionResult.of("inventory of " + node.identity(), inventory(node)))
                .readOnly(GET_FACT, inputs -> {
                    String fact = inputs.string(FACT);
                    Object value = FactPath.resolve(node.facts(), fact);
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put(FACT, fact);
                    data.put(VALUE, value);
                    return ActionResult.of(value == null ? "fact " + fact + " is not set" : fact + " = " + value, data);
                })
                .bind();
    }

    private static Map<String, Object> inventory(NodeContext node) {
        List<Map<String, Object>> agents = new ArrayList<>();
        for (AgentPlugin plugin : node.plugins()) {
            Map<String, Object> agent = new LinkedHashMap<>();
            agent.put("name", plugin.name());
            agent.put("provider", plugin.provider());
            agent.put("actions", plugin.actions().stream().map(Action::name).toList());
            agents.add(agent);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(IDENTITY, node.identity());
        data.put(VERSION, node.version());
        data.put(COLLECTIVES, node.collectives());
        data.put(AGENTS, agents);
        data.put(CLASSES, new ArrayList<>(new TreeSet<>(node.classes())));
        data.put(FACTS, node.facts());
        return data;
    }

    @Override
    public AgentCatalog catalog() {
        return CATALOG;
    }

    @Override
    public List<Action> actions() {
        return actions;
    }

    @Override
    public boolean serialized() {
        return false;
    }

    /** Creates the rpcutil plugin; it takes no settings. */
    public static final class Factory implements PluginFactory {
        @Override
        public String name() {
            return CATALOG.name();
        }

        @Override
        public AgentPlugin create(Settings settings, NodeContext node) {
            return new RpcutilAgent(node);
        }
    }
}
