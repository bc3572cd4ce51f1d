package io.drover.sandbox;

import io.drover.agent.DeepMerge;
import io.drover.agent.NodeSpec;
import io.drover.config.YamlDocuments;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.protocol.Names;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An emulated fleet, from a file such as {@code sandbox/fleet.yaml}:
 * <pre>
 * collective: drover
 * defaults:            # merged into every node: classes are added, facts and agents deep-merged
 *   classes: [base]
 *   facts: {os: {family: RedHat}}
 *   agents: {package: {provider: sandbox, installed: {mywebapp: 4.2.6-2.el5}}}
 * nodes:
 *   - identity: dev1.de.example.com
 *     classes: [roles::dev_server]
 *     facts: {country: de}
 * </pre>
 *
 * @param collective the collective every node joins
 * @param nodes      the nodes, defaults merged in
 */
public record FleetSpec(String collective, List<NodeSpec> nodes) {
    public static FleetSpec load(Path file) {
        Settings root = new Settings(file.toString(), YamlDocuments.readMap(file, "fleet file"));
        String collective = root.string("collective", Names.DEFAULT_COLLECTIVE);
        Settings defaults = root.section("defaults");
        Set<String> defaultClasses = new LinkedHashSet<>(defaults.strings("classes"));
        Map<String, Object> defaultFacts = defaults.map("facts");
        Map<String, Object> defaultAgents = defaults.map("agents");
        defaults.requireAllRead();

        List<NodeSpec> nodes = new ArrayList<>();
        Set<String> identities = new HashSet<>();
        List<Map<String, Object>> entries = root.maps("nodes");
        for (int i = 0; i < entries.size(); i++) {
            Settings entry = new Settings(file + " nodes[" + i + "]", entries.get(i));
            String identity = entry.requiredString("identity", "every node needs an identity");
            if (!identities.add(identity)) {
                throw new ConfigException(file + ": identity " + identity + " appears twice");
            }
            Set<String> classes = new LinkedHashSet<>(defaultClasses);
            classes.addAll(entry.strings("classes"));
            Map<String, Object> facts = DeepMerge.merge(defaultFacts, entry.map("facts"));
            Map<String, Object> agentsMerged = DeepMerge.merge(defaultAgents, entry.map("agents"));
            entry.requireAllRead();
            Map<String, Map<String, Object>> agents = new LinkedHashMap<>();
            agentsMerged.forEach((name, settings) -> agents.put(name, asMap(settings, file + " agents." + name)));
            nodes.add(new NodeSpec(identity, List.of(collective), classes, facts, agents));
        }
        root.requireAllRead();
        if (nodes.isEmpty()) {
            throw new ConfigException(file + ": the fleet has no nodes; list them under nodes:");
        }
        return new FleetSpec(collective, List.copyOf(nodes));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map)) {
            throw new ConfigException(where + " must be a mapping of settings");
        }
        return (Map<String, Object>) value;
    }
}
