package io.drover.sandbox;

import io.drover.agent.NodeSpec;
import io.drover.config.YamlDocuments;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.protocol.Names;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recipe for a large emulated fleet: identities {@code node-00001}..., with classes and facts drawn from
 * weighted choices so that filters select realistic, predictable fractions.
 * <pre>
 * collective: drover
 * classes:                               # each node gets one entry's classes, by weight
 *   - {weight: 60, classes: [roles::web_server]}
 *   - {weight: 40, classes: [roles::dev_server]}
 * facts:                                 # each fact: value -> weight
 *   country: {de: 10, us: 60, fr: 30}
 * static_facts: {environment: production}
 * agents: {firewall: {provider: sandbox}}   # every node's agents
 * </pre>
 * The choice for node i walks the weights in order with a stride coprime to their total, so a value of
 * weight w out of W goes to exactly w of every W consecutive nodes.
 */
public final class FleetTemplate {
    private final String collective;
    private final List<Choice<Set<String>>> classes;
    private final Map<String, List<Choice<Object>>> facts;
    private final Map<String, Object> staticFacts;
    private final Map<String, Map<String, Object>> agents;

    private record Choice<T>(T value, int weight) {
    }

    private FleetTemplate(String collective, List<Choice<Set<String>>> classes, Map<String, List<Choice<Object>>> facts,
                          Map<String, Object> staticFacts, Map<String, Map<String, Object>> agents) {
        this.collective = collective;
        this.classes = classes;
        this.facts = facts;
        this.staticFacts = staticFacts;
        this.agents = agents;
    }

    @SuppressWarnings("unchecked")
    public static FleetTemplate load(Path file) {
        Settings root = new Settings(file.toString(), YamlDocuments.readMap(file, "fleet template"));
        String collective = root.string("collective", Names.DEFAULT_COLLECTIVE);
        List<Choice<Set<String>>> classes = new ArrayList<>();
        List<Map<String, Object>> classEntries = root.maps("classes");
        for (int i = 0; i < classEntries.size(); i++) {
            Settings entry = new Settings(file + " classes[" + i + "]", classEntries.get(i));
            classes.add(new Choice<>(new LinkedHashSet<>(entry.strings("classes")), weight(entry)));
            entry.requireAllRead();
        }
        Map<String, List<Choice<Object>>> facts = new LinkedHashMap<>();
        Settings factSection = root.section("facts");
        for (String fact : root.map("facts").keySet()) {
            List<Choice<Object>> choices = new ArrayList<>();
            factSection.map(fact).forEach((value, weight) -> {
                if (!(weight instanceof Number number) || number.intValue() < 1) {
                    throw new ConfigException(file + " facts." + fact + "." + value + ": the weight must be a positive number");
                }
                choices.add(new Choice<>(value, number.intValue()));
            });
            facts.put(fact, choices);
        }
        Map<String, Object> staticFacts = root.map("static_facts");
        Map<String, Map<String, Object>> agents = new LinkedHashMap<>();
        root.map("agents").forEach((name, settings) -> agents.put(name, settings instanceof Map
                ? (Map<String, Object>) settings : Map.of()));
        root.requireAllRead();
        return new FleetTemplate(collective, classes, facts, staticFacts, agents);
    }

    private static int weight(Settings entry) {
        long weight = entry.integer("weight", 1);
        if (weight < 1 || weight > 1_000_000) {
            throw entry.invalid("weight", "must be 1 to 1000000");
        }
        return (int) weight;
    }

    /** {@code count} nodes named {@code node-00001}..., in {@code collective} (or the template's). */
    public FleetSpec fleet(int count, String collectiveOverride) {
        String fleetCollective = collectiveOverride != null ? collectiveOverride : collective;
        List<NodeSpec> nodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, Object> nodeFacts = new LinkedHashMap<>(staticFacts);
            int salt = 1;
            for (Map.Entry<String, List<Choice<Object>>> fact : facts.entrySet()) {
                nodeFacts.put(fact.getKey(), pick(fact.getValue(), i, salt++));
            }
            Set<String> nodeClasses = classes.isEmpty() ? Set.of() : pick(classes, i, 0);
            nodes.add(new NodeSpec(String.format("node-%05d", i + 1), List.of(fleetCollective), nodeClasses, nodeFacts, agents));
        }
        return new FleetSpec(fleetCollective, nodes);
    }

    /** The value for node i: spreads each value evenly instead of in blocks, and differently per fact. */
    private static <T> T pick(List<Choice<T>> choices, int index, int salt) {
        int total = choices.stream().mapToInt(Choice::weight).sum();
        int stride = stride(total, salt);
        int slot = (int) (((long) index * stride + salt) % total);
        for (Choice<T> choice : choices) {
            if (slot < choice.weight()) {
                return choice.value();
            }
            slot -= choice.weight();
        }
        throw new IllegalStateException("weights do not add up");
    }

    private static int stride(int total, int salt) {
        for (int candidate = 7 + 2 * salt; ; candidate++) {
            if (gcd(candidate, total) == 1) {
                return candidate;
            }
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
