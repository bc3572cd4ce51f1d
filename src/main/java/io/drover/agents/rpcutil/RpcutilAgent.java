package io.drover.agents.rpcutil;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.Input;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Settings;
import io.drover.filter.FactPath;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The {@code rpcutil} agent, always enabled: ping (used by discovery), inventory, get_fact. */
public final class RpcutilAgent implements AgentPlugin {
    public static final String NAME = "rpcutil";
    static final Input FACT = Input.string("fact").required().maxLength(256)
            .matching("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*", "os.family")
            .describedAs("fact name, dotted for nested facts");

    private final List<Action> actions;

    public RpcutilAgent(NodeContext node) {
        this.actions = List.of(
                Action.named("ping", "Answer at once; discovery broadcasts this")
                        .output("pong", "the node's clock, epoch milliseconds")
                        .handledBy(inputs -> ActionResult.of("pong", Map.of("pong", System.currentTimeMillis()))),
                Action.named("inventory", "Identity, version, collectives, agents, classes and facts")
                        .output("agents", "enabled agents with provider and actions")
                        .output("classes", "classes").output("facts", "facts")
                        .handledBy(inputs -> ActionResult.of("inventory of " + node.identity(), inventory(node))),
                Action.named("get_fact", "The value of one fact").input(FACT)
                        .output("fact", "fact name").output("value", "fact value, null when not set")
                        .handledBy(inputs -> {
                            String fact = inputs.string("fact");
                            Object value = FactPath.resolve(node.facts(), fact);
                            Map<String, Object> data = new LinkedHashMap<>();
                            data.put("fact", fact);
                            data.put("value", value);
                            return ActionResult.of(value == null ? "fact " + fact + " is not set" : fact + " = " + value, data);
                        }));
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
        data.put("identity", node.identity());
        data.put("version", node.version());
        data.put("collectives", node.collectives());
        data.put("agents", agents);
        data.put("classes", new ArrayList<>(new TreeSet<>(node.classes())));
        data.put("facts", node.facts());
        return data;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Discovery and node information";
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
            return NAME;
        }

        @Override
        public AgentPlugin create(Settings settings, NodeContext node) {
            return new RpcutilAgent(node);
        }
    }
}
