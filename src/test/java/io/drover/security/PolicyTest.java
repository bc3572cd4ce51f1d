package io.drover.security;

import io.drover.agent.plugin.ConfigException;
import io.drover.filter.NodeView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {
    @TempDir
    Path dir;

    private record Node(String identity, Set<String> classes, Map<String, Object> facts, Set<String> agents) implements NodeView {
    }

    private static final Node WEB_DE = new Node("web1.de", Set.of("roles::web"), Map.of("country", "de"), Set.of("firewall"));
    private static final Node WEB_FR = new Node("web1.fr", Set.of("roles::web"), Map.of("country", "fr"), Set.of("firewall"));

    private Policy policy(String yaml) throws Exception {
        return Policy.load(Files.writeString(dir.resolve("policy.yaml"), yaml));
    }

    @Test
    void whatNoRuleAllowsIsDenied() throws Exception {
        Policy policy = policy("rules: []\n");
        String denial = policy.denial("alice", "firewall", "block", WEB_DE);
        assertTrue(denial.contains("no rule of policy.yaml allows alice to run firewall.block"), denial);
    }

    @Test
    void rulesMatchCallerAgentActionsAndNodes() throws Exception {
        Policy policy = policy("""
                rules:
                  - caller: "*"
                    agent: rpcutil
                    actions: "*"
                  - caller: alice
                    agent: firewall
                    actions: [block, unblock, is_blocked]
                    nodes: "country=de and roles::web"
                  - caller: bob
                    agent: "*"
                    actions: status
                """);
        assertNull(policy.denial("anyone", "rpcutil", "ping", WEB_FR));
        assertNull(policy.denial("alice", "firewall", "block", WEB_DE));
        assertTrue(policy.denial("alice", "firewall", "block", WEB_FR) != null, "the fact condition excludes fr");
        assertTrue(policy.denial("alice", "firewall", "list_blocked", WEB_DE) != null);
        assertTrue(policy.denial("alice", "package", "update", WEB_DE) != null);
        assertNull(policy.denial("bob", "service", "status", WEB_FR));
        assertTrue(policy.denial("bob", "service", "restart", WEB_FR) != null);
    }

    @Test
    void theFirstMatchingRuleDecidesSoADenyCanComeFirst() throws Exception {
        Policy policy = policy("""
                rules:
                  - {caller: mallory, agent: "*", actions: "*", effect: deny}
                  - {caller: "*", agent: "*", actions: "*"}
                """);
        assertTrue(policy.denial("mallory", "rpcutil", "ping", WEB_DE).startsWith("denied by rule 0"));
        assertNull(policy.denial("alice", "package", "update", WEB_DE));
    }

    @Test
    void malformedRulesAreNamed() throws Exception {
        assertThrows(ConfigException.class, () -> policy("rules:\n  - {agent: x, actions: y}\n"));
        assertThrows(ConfigException.class, () -> policy("rules:\n  - {caller: a, agent: x}\n"));
        ConfigException bad = assertThrows(ConfigException.class, () -> policy("rules:\n  - {caller: a, agent: x, actions: y, nodes: \"country ==\"}\n"));
        assertTrue(bad.getMessage().contains("rules[0].nodes"), bad.getMessage());
        assertThrows(ConfigException.class, () -> policy("rules:\n  - {caller: a, agent: x, actions: y, effect: maybe}\n"));
        assertThrows(ConfigException.class, () -> policy("rules:\n  - {caller: a, agent: x, actions: y, colr: 1}\n"));
        assertThrows(ConfigException.class, () -> policy("rulez: []\n"));
    }
}
