package io.drover.agent;

import io.drover.agent.plugin.ConfigException;
import io.drover.protocol.Names;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything needed to build a node: identity, collectives, classes, facts and the settings of each enabled
 * agent plugin. Loaded from an agent's {@code agent.yaml} or from a fleet description.
 *
 * @param identity    node identity, unique within a collective
 * @param collectives collectives the node listens to
 * @param classes     Puppet-style classes, e.g. {@code roles::dev_server}
 * @param facts       facts, possibly nested
 * @param agents      plugin name to its settings; {@code rpcutil} is always enabled
 * @param configDir   what relative paths in the plugins' settings are relative to: the directory of agent.yaml;
 *                    null for the working directory
 */
public record NodeSpec(String identity, List<String> collectives, Set<String> classes, Map<String, Object> facts,
                       Map<String, Map<String, Object>> agents, Path configDir) {
    public NodeSpec(String identity, List<String> collectives, Set<String> classes, Map<String, Object> facts,
                    Map<String, Map<String, Object>> agents) {
        this(identity, collectives, classes, facts, agents, null);
    }

    public NodeSpec {
        if (!Names.isIdentity(identity)) {
            throw new ConfigException("Identity '" + Names.printable(identity) + "' is not valid; use letters, digits, '.', '_' and '-' (like a host name)");
        }
        if (collectives.isEmpty()) {
            throw new ConfigException("Node " + identity + " is in no collective");
        }
        for (String collective : collectives) {
            if (!Names.COLLECTIVE.matcher(collective).matches()) {
                throw new ConfigException("Collective '" + Names.printable(collective) + "' of node " + identity
                        + " is not valid; it must match " + Names.COLLECTIVE.pattern());
            }
        }
        collectives = List.copyOf(collectives);
        classes = Collections.unmodifiableSet(new LinkedHashSet<>(classes));
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        agents = Collections.unmodifiableMap(new LinkedHashMap<>(agents));
    }
}
