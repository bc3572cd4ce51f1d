package io.drover.agent.plugin;

/** What does a plugin's work on the host: iptables, apt, systemd, the in-memory sandbox. */
public interface Provider {
    /** The provider's name as in the plugin's {@code provider} setting, e.g. {@code iptables}. */
    String name();
}
