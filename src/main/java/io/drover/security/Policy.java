package io.drover.security;

import io.drover.config.YamlDocuments;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.filter.Filter;
import io.drover.filter.FilterSyntaxException;
import io.drover.filter.NodeView;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may run which actions on which nodes, in the spirit of MCollective's ActionPolicy. Rules are tried in
 * order and the first that matches decides; when none matches the request is denied (default deny).
 * <pre>
 * rules:
 *   - caller: alice                  # a caller, or "*"
 *     agent: firewall                # an agent, or "*"
 *     actions: [block, unblock]      # an action, a list, or "*"
 *     nodes: "roles::web_server and country=de"   # optional: only on nodes matching this filter
 *   - caller: "*"
 *     agent: rpcutil
 *     actions: "*"
 *   - caller: mallory
 *     agent: "*"
 *     effect: deny                   # allow (default) or deny
 * </pre>
 */
public final class Policy {
    private final Path source;
    private final List<Rule> rules;

    private record Rule(int index, String caller, String agent, Set<String> actions, Filter nodes, boolean allow) {
        boolean matches(String requestCaller, String requestAgent, String requestAction, NodeView node) {
            return (caller.equals("*") || caller.equals(requestCaller))
                    && (agent.equals("*") || agent.equals(requestAgent))
                    && (actions.contains("*") || actions.contains(requestAction))
                    && (nodes == null || nodes.matches(node));
        }
    }

    private Policy(Path source, List<Rule> rules) {
        this.source = source;
        this.rules = List.copyOf(rules);
    }

    /** Reads a policy file; a malformed rule is an error naming it. */
    public static Policy load(Path file) {
        Settings root = new Settings(file.toString(), YamlDocuments.readMap(file, "policy"));
        List<Map<String, Object>> entries = root.maps("rules");
        root.requireAllRead();
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Settings rule = new Settings(file + " rules[" + i + "]", entries.get(i));
            String caller = rule.requiredString("caller", "name a caller or \"*\"");
            String agent = rule.requiredString("agent", "name an agent or \"*\"");
            List<String> actions = rule.strings("actions");
            if (actions.isEmpty()) {
                throw rule.invalid("actions", "name an action, a list of actions, or \"*\"");
            }
            String nodes = rule.string("nodes", null);
            Filter filter = null;
            if (nodes != null) {
                try {
                    filter = Filter.parse(nodes);
                } catch (FilterSyntaxException e) {
                    throw rule.invalid("nodes", e.getMessage());
                }
            }
            String effect = rule.string("effect", "allow");
            if (!effect.equals("allow") && !effect.equals("deny")) {
                throw rule.invalid("effect", "must be allow or deny, got " + effect);
            }
            rule.requireAllRead();
            rules.add(new Rule(i, caller, agent, Set.copyOf(actions), filter, effect.equals("allow")));
        }
        return new Policy(file, rules);
    }

    /** Why the request is denied on {@code node}, or {@code null} when a rule allows it. */
    public String denial(String caller, String agent, String action, NodeView node) {
        for (Rule rule : rules) {
            if (rule.matches(caller, agent, action, node)) {
                return rule.allow() ? null : "denied by rule " + rule.index() + " of " + source.getFileName();
            }
        }
        return "no rule of " + source.getFileName() + " allows " + caller + " to run " + agent + "." + action + " on this node";
    }

    public int size() {
        return rules.size();
    }
}
