package io.drover.agent.plugin;

/**
 * Creates one kind of agent plugin for a node from its configuration section. The agent finds factories with
 * {@link java.util.ServiceLoader}: a plugin jar lists its factory class, which needs a public no-argument
 * constructor, in {@code META-INF/services/io.drover.agent.plugin.PluginFactory}, and the agent loads it when
 * the jar is on its class path.
 */
public interface PluginFactory {
    /** The plugin's name, which is also its configuration key under {@code agents} and its catalog's name. */
    String name();

    AgentPlugin create(Settings settings, NodeContext node);
}
