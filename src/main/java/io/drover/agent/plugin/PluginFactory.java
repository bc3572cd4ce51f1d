package io.drover.agent.plugin;

/** Creates one kind of agent plugin for a node from its configuration section. */
public interface PluginFactory {
    /** The plugin's name, which is also its configuration key under {@code agents}. */
    String name();

    AgentPlugin create(Settings settings, NodeContext node);
}
