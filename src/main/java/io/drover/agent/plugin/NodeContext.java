package io.drover.agent.plugin;

import io.drover.filter.NodeView;

import java.util.Collection;
import java.util.List;

/** What a plugin may know about the node it runs on. */
public interface NodeContext extends NodeView {
    List<String> collectives();

    /** Drover version of the agent. */
    String version();

    /** The plugins enabled on the node, complete once the node is built. */
    Collection<AgentPlugin> plugins();
}
