package io.drover.agent.plugin;

import io.drover.catalog.AgentCatalog;

import java.util.List;

/**
 * An agent plugin: a named set of actions a node offers, e.g. {@code firewall} with {@code block} and
 * {@code unblock}, declared in its {@link AgentCatalog} and bound to handlers with {@link Actions}. Actions
 * change the machine through a provider (iptables, apt, systemd, or the in-memory sandbox), chosen when the
 * plugin is created.
 */
public interface AgentPlugin {
    /** What the plugin offers: its name, actions, inputs and outputs. */
    AgentCatalog catalog();

    /** The catalog's actions bound to their handlers, from {@link Actions#bind()}. */
    List<Action> actions();

    default String name() {
        return catalog().name();
    }

    default String description() {
        return catalog().description();
    }

    /**
     * Whether actions of this plugin on one node must run one at a time, as two package installs or two
     * firewall edits would trip over each other. Read-only plugins return false.
     */
    default boolean serialized() {
        return true;
    }

    /** The provider doing the work, e.g. {@code sandbox}, {@code iptables}; empty for plugins without one. */
    default String provider() {
        return "";
    }

    default Action action(String actionName) {
        for (Action action : actions()) {
            if (action.name().equals(actionName)) {
                return action;
            }
        }
        return null;
    }
}
