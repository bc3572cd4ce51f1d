package io.drover.agents.firewall;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirewallAgentTest {
    private final FirewallAgent agent = new FirewallAgent(new SandboxFirewall(
            new Settings("agents.firewall", Map.of("blocked", List.of("203.0.113.9", "10.1.2.3/8", "2001:0db8::0001")))));

    private ActionResult run(String actionName, String address) throws Exception {
        Action action = agent.action(actionName);
        Map<String, Object> params = address == null ? Map.of() : Map.of("address", address);
        return action.handler().run(action.validate(agent.name(), params));
    }

    @Test
    void describesItself() {
        assertEquals("firewall", agent.name());
        assertEquals("sandbox", agent.provider());
        assertEquals(List.of("block", "unblock", "is_blocked", "list_blocked"),
                agent.actions().stream().map(Action::name).toList());
        assertTrue(agent.serialized());
    }

    @Test
    void initialBlocksAreCanonicalAndSorted() throws Exception {
        assertEquals(List.of("10.0.0.0/8", "2001:db8::1", "203.0.113.9"), run("list_blocked", null).data().get("blocked"));
        assertEquals("3 blocked", run("list_blocked", null).message());
    }

    @Test
    void blockIsIdempotent() throws Exception {
        ActionResult first = run("block", "192.168.1.1");
        assertEquals(Map.of("changed", true, "address", "192.168.1.1", "blocked", true), first.data());
        assertEquals("blocked 192.168.1.1", first.message());

        ActionResult again = run("block", "192.168.1.1");
        assertEquals(false, again.data().get("changed"));
        assertEquals(true, again.data().get("blocked"));
        assertEquals("192.168.1.1 was already blocked", again.message());
        assertTrue(agent.firewall().isBlocked(IpAddress.parse("192.168.1.1")));
    }

    @Test
    void anotherSpellingOfABlockedAddressIsNoChange() throws Exception {
        assertEquals(false, run("block", "2001:db8:0:0:0:0:0:1").data().get("changed"));
        assertEquals(false, run("block", "10.200.0.1/8").data().get("changed"));
        assertEquals(3, agent.firewall().listBlocked().size());
    }

    @Test
    void unblockIsIdempotent() throws Exception {
        ActionResult first = run("unblock", "203.0.113.9");
        assertEquals(Map.of("changed", true, "address", "203.0.113.9", "blocked", false), first.data());
        assertEquals("unblocked 203.0.113.9", first.message());

        ActionResult again = run("unblock", "203.0.113.9");
        assertEquals(false, again.data().get("changed"));
        assertEquals(false, again.data().get("blocked"));
        assertEquals("203.0.113.9 was not blocked", again.message());
        assertEquals(List.of("10.0.0.0/8", "2001:db8::1"), agent.firewall().listBlocked());
    }

    @Test
    void unblockOfAnotherSpellingRemovesTheEntry() throws Exception {
        assertEquals(true, run("unblock", "2001:DB8::0:1").data().get("changed"));
        assertFalse(agent.firewall().isBlocked(IpAddress.parse("2001:db8::1")));
    }

    @Test
    void isBlocked() throws Exception {
        ActionResult blocked = run("is_blocked", "10.0.0.0/8");
        assertEquals(Map.of("address", "10.0.0.0/8", "blocked", true), blocked.data());
        assertEquals("10.0.0.0/8 is blocked", blocked.message());

        ActionResult notBlocked = run("is_blocked", "10.0.0.1");
        assertEquals(false, notBlocked.data().get("blocked"), "a network entry is not a match for one of its hosts");
        assertEquals("10.0.0.1 is not blocked", notBlocked.message());
        assertFalse(notBlocked.data().containsKey("changed"));
    }

    @Test
    void listBlockedFollowsChanges() throws Exception {
        run("block", "::1");
        run("unblock", "10.0.0.0/8");
        assertEquals(List.of("2001:db8::1", "203.0.113.9", "::1"), run("list_blocked", null).data().get("blocked"));
    }

    @Test
    void invalidBlockedSettingNamesTheAddress() {
        ConfigException e = assertThrows(ConfigException.class, () -> new SandboxFirewall(
                new Settings("agents.firewall of web01", Map.of("blocked", List.of("10.0.0.1", "10.0.0.256")))));
        assertEquals("agents.firewall of web01.blocked: '10.0.0.256': octet 256 is larger than 255", e.getMessage());
    }

    @Test
    void factoryNeedsAKnownProvider() {
        FirewallAgent.Factory factory = new FirewallAgent.Factory();
        assertEquals("firewall", factory.name());
        assertTrue(assertThrows(ConfigException.class, () -> factory.create(
                new Settings("agents.firewall", Map.of("provider", "bogus")), null))
                .getMessage().startsWith("Unknown firewall provider 'bogus'"));
        assertEquals("sandbox", factory.create(new Settings("agents.firewall", Map.of("provider", "sandbox")), null).provider());
    }

    private ActionResult dryRun(String actionName, String address) throws Exception {
        Action action = agent.action(actionName);
        Map<String, Object> params = address == null ? Map.of() : Map.of("address", address);
        return action.dryRunHandler().run(action.validate(agent.name(), params));
    }

    @Test
    void aDryRunPredictsWhatTheRealRunThenDoesAndChangesNothing() throws Exception {
        ActionResult block = dryRun("block", "192.168.1.1");
        assertEquals("would block 192.168.1.1", block.message());
        assertFalse(agent.firewall().isBlocked(IpAddress.parse("192.168.1.1")));
        assertEquals(false, dryRun("is_blocked", "192.168.1.1").data().get("blocked"));
        assertEquals(block.data(), run("block", "192.168.1.1").data());
        assertEquals("192.168.1.1 is already blocked, nothing to do", dryRun("block", "192.168.1.1").message());
        ActionResult unblock = dryRun("unblock", "192.168.1.1");
        assertEquals("would unblock 192.168.1.1", unblock.message());
        assertEquals(run("list_blocked", null).data(), dryRun("list_blocked", null).data());
        assertEquals(unblock.data(), run("unblock", "192.168.1.1").data());
        assertEquals("192.168.1.1 is not blocked, nothing to do", dryRun("unblock", "192.168.1.1").message());
    }
}
