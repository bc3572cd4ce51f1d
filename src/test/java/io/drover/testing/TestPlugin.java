package io.drover.testing;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Settings;

import java.util.List;

/** A plugin made of the given actions, for tests that need an action to misbehave on purpose. */
public final class TestPlugin {
    private TestPlugin() {
    }

    public static PluginFactory factory(String name, String description, Action... actions) {
        List<Action> list = List.of(actions);
        return new PluginFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AgentPlugin create(Settings settings, NodeContext context) {
                return new AgentPlugin() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public String description() {
                        return description;
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
