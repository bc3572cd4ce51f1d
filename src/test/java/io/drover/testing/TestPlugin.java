package io.drover.testing;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionHandler;
import io.drover.agent.plugin.Actions;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.ActionSpec;
import io.drover.catalog.AgentCatalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A plugin made of the given actions, for tests that need an action to misbehave on purpose. */
public final class TestPlugin {
    private final String name;
    private final String description;
    private final Map<String, ActionHandler> handlers = new LinkedHashMap<>();

    private TestPlugin(String name, String description) {
        this.name = name;
        this.description = description;
    }

    /** A plugin {@code name}; add its actions with {@link #action}. */
    public static TestPlugin named(String name, String description) {
        return new TestPlugin(name, description);
    }

    /** An action without inputs or outputs, run by {@code handler}. */
    public TestPlugin action(String action, ActionHandler handler) {
        handlers.put(action, handler);
        return this;
    }

    public PluginFactory factory() {
        List<ActionSpec> specs = new ArrayList<>();
        handlers.keySet().forEach(action -> specs.add(ActionSpec.named(action, "").build()));
        AgentCatalog catalog = new AgentCatalog(name, description, specs);
        Map<String, ActionHandler> bound = Map.copyOf(handlers);
        return new PluginFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AgentPlugin create(Settings settings, NodeContext context) {
                Actions actions = Actions.of(catalog);
                bound.forEach(actions::on);
                List<Action> list = actions.bind();
                return new AgentPlugin() {
                    @Override
                    public AgentCatalog catalog() {
                        return catalog;
                    }

                    @Override
                    public List<Action> actions() {
                        return list;
                    }
                };
            }
        };
    }
}
