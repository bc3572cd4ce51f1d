package io.drover.agents.firewall;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.IpAddress;
import io.drover.testing.RecordingCommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static io.drover.agents.firewall.IptablesFirewallTest.fixture;
import static io.drover.testing.RecordingCommandRunner.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NftablesFirewallTest {
    private static final String LIST_CHAIN = "nft -j list chain inet drover input";
    private static final List<String> SETUP = List.of("nft", "add table inet drover; "
            + "add set inet drover blocked4 { type ipv4_addr; flags interval; }; "
            + "add set inet drover blocked6 { type ipv6_addr; flags interval; }; "
            + "add chain inet drover input { type filter hook input priority 0; policy accept; }; "
            + "flush chain inet drover input; "
            + "add rule inet drover input ip saddr @blocked4 drop; "
            + "add rule inet drover input ip6 saddr @blocked6 drop");
    private static final String NO_TABLE = "Error: No such file or directory\nlist chain inet drover input\n                ^^^^^^\n";
    private static final String NO_ELEMENT = "Error: Could not process rule: No such file or directory\n"
            + "get element inet drover blocked4 { 192.0.2.1 }\n^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";

    private final RecordingCommandRunner runner = new RecordingCommandRunner();
    private final NftablesFirewall firewall = new NftablesFirewall(new Settings("agents.firewall", Map.of()), runner);

    /** After setup: the chain lists with both drop rules (as captured from nft 1.0.6). */
    private void ready() {
        runner.answer(LIST_CHAIN, 0, fixture("nft-list-chain.json"), "");
    }

    @Test
    void setupIsOneTransaction() {
        assertEquals(SETUP.get(1), firewall.setupScript());
    }

    @Test
    void firstBlockCreatesTheTableOnceThenAddsTheElement() throws Exception {
        runner.answer(LIST_CHAIN, 1, "", NO_TABLE).answer(LIST_CHAIN, 0, fixture("nft-list-chain.json"), "")
                .answer("nft get element inet drover blocked4 { 10.77.3.1 }", 1, "", NO_ELEMENT)
                .answer("nft get element inet drover blocked4 { 10.77.3.1 }", 0, fixture("nft-get-element-host.txt"), "");

        assertTrue(firewall.block(IpAddress.parse("10.77.3.1")));
        assertEquals(List.of(
                words(LIST_CHAIN),
                SETUP,
                words("nft get element inet drover blocked4 { 10.77.3.1 }"),
                words("nft add element inet drover blocked4 { 10.77.3.1 }")), runner.take());

        assertFalse(firewall.block(IpAddress.parse("10.77.3.1")), "a second block changes nothing");
        assertEquals(List.of(
                words(LIST_CHAIN),
                words("nft get element inet drover blocked4 { 10.77.3.1 }")), runner.take(), "the table is made once");
    }

    @Test
    void aChainWithoutItsRulesIsSetUpAgain() throws Exception {
        // what `nft flush chain inet drover input` leaves: the hook without the drops, which would block nothing
        runner.answer(LIST_CHAIN, 0, fixture("nft-list-chain-without-rules.json"), "")
                .answer(LIST_CHAIN, 0, fixture("nft-list-chain.json"), "")
                .answer("nft get element inet drover blocked4 { 192.0.2.1 }", 1, "", NO_ELEMENT);
        assertFalse(firewall.isBlocked(IpAddress.parse("192.0.2.1")));
        assertEquals(List.of(words(LIST_CHAIN), SETUP, words("nft get element inet drover blocked4 { 192.0.2.1 }")), runner.take());
    }

    @Test
    void ipv6GoesToTheIpv6SetWithTheCanonicalAddress() throws Exception {
        ready();
        runner.answer("nft get element inet drover blocked6 { 2001:db8::1 }", 1, "", NO_ELEMENT);
        assertTrue(firewall.block(IpAddress.parse("2001:DB8:0::1")));
        assertEquals(List.of(
                words(LIST_CHAIN),
                words("nft get element inet drover blocked6 { 2001:db8::1 }"),
                words("nft add element inet drover blocked6 { 2001:db8::1 }")), runner.take());
    }

    @Test
    void isBlockedNeedsTheElementItselfNotANetworkAroundIt() throws Exception {
        ready();
        runner.answer("nft get element inet drover blocked4 { 10.77.3.1 }", 0, fixture("nft-get-element-host.txt"), "")
                .answer("nft get element inet drover blocked4 { 198.51.100.20 }", 0, fixture("nft-get-element-inside-network.txt"), "")
                .answer("nft get element inet drover blocked4 { 198.51.100.0/24 }", 0, fixture("nft-get-element-inside-network.txt"), "")
                .answer("nft get element inet drover blocked6 { 2001:db8::1 }", 0, fixture("nft-get-element-ipv6.txt"), "")
                .answer("nft get element inet drover blocked4 { 192.0.2.1 }", 1, "", NO_ELEMENT);
        assertTrue(firewall.isBlocked(IpAddress.parse("10.77.3.1")));
        assertFalse(firewall.isBlocked(IpAddress.parse("198.51.100.20")), "nft prints the covering network 198.51.100.0/24");
        assertTrue(firewall.isBlocked(IpAddress.parse("198.51.100.0/24")));
        assertTrue(firewall.isBlocked(IpAddress.parse("2001:db8::1")));
        assertFalse(firewall.isBlocked(IpAddress.parse("192.0.2.1")));
    }

    @Test
    void unblockDeletesOnlyWhatIsThere() throws Exception {
        ready();
        runner.answer("nft get element inet drover blocked6 { 2001:db8::1 }", 0, fixture("nft-get-element-ipv6.txt"), "")
                .answer("nft get element inet drover blocked6 { 2001:db8::1 }", 1, "", NO_ELEMENT);
        assertTrue(firewall.unblock(IpAddress.parse("2001:db8::1")));
        assertEquals(List.of(
                words(LIST_CHAIN),
                words("nft get element inet drover blocked6 { 2001:db8::1 }"),
                words("nft delete element inet drover blocked6 { 2001:db8::1 }")), runner.take());

        assertFalse(firewall.unblock(IpAddress.parse("2001:db8::1")), "unblocking again changes nothing");
        assertEquals(List.of(words(LIST_CHAIN), words("nft get element inet drover blocked6 { 2001:db8::1 }")), runner.take());
    }

    @Test
    void unblockingAHostInsideABlockedNetworkLeavesTheNetwork() throws Exception {
        ready();
        runner.answer("nft get element inet drover blocked4 { 198.51.100.20 }", 0, fixture("nft-get-element-inside-network.txt"), "");
        assertFalse(firewall.unblock(IpAddress.parse("198.51.100.20")));
        assertEquals(List.of(words(LIST_CHAIN), words("nft get element inet drover blocked4 { 198.51.100.20 }")), runner.take());
    }

    @Test
    void blockingAnOverlappingEntrySaysWhichOneAndWhatToDo() {
        ready();
        runner.answer("nft get element inet drover blocked4 { 198.51.100.20 }", 0, fixture("nft-get-element-inside-network.txt"), "")
                .answer("nft add element inet drover blocked4 { 198.51.100.20 }", 1, "", fixture("nft-add-element-overlaps.stderr"))
                .answer("nft -j list set inet drover blocked4", 0, fixture("nft-list-set-blocked4.json"), "");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> firewall.block(IpAddress.parse("198.51.100.20")));
        assertEquals("`nft add element inet drover blocked4 { 198.51.100.20 }` exited 1: Error: interval overlaps with an existing one "
                + "/ add element inet drover blocked4 { 198.51.100.20 } /                                    ^^^^^^^^^^^^^; 198.51.100.20 overlaps 198.51.100.0/24 "
                + "already blocked, and an nftables interval set cannot hold overlapping entries: unblock it first, "
                + "or keep the wider one", e.getMessage());
        assertEquals(1, e.data().get("exitcode"));
    }

    @Test
    void listBlockedReadsBothSetsCanonicalAndSorted() throws Exception {
        ready();
        runner.answer("nft -j list set inet drover blocked4", 0, fixture("nft-list-set-blocked4.json"), "")
                .answer("nft -j list set inet drover blocked6", 0, fixture("nft-list-set-blocked6.json"), "");
        assertEquals(List.of("10.77.3.1", "198.51.100.0/24", "2001:db8:0:1::/64", "2001:db8::1", "203.0.113.9", "fd00::1:0:0:5"),
                firewall.listBlocked());
        assertEquals(List.of(
                words(LIST_CHAIN),
                words("nft -j list set inet drover blocked4"),
                words("nft -j list set inet drover blocked6")), runner.take());
    }

    @Test
    void emptySetsListNothing() throws Exception {
        ready();
        runner.answer("nft -j list set inet drover blocked4", 0, fixture("nft-list-set-empty.json"), "")
                .answer("nft -j list set inet drover blocked6", 0, fixture("nft-list-set-empty.json").replace("blocked4", "blocked6"), "");
        assertEquals(List.of(), firewall.listBlocked());
    }

    @Test
    void aFailedSetupNamesTheCommandAndWhatNftSaid() {
        runner.answer(LIST_CHAIN, 1, "", "Error: Could not process rule: Operation not permitted\n")
                .answer(SETUP, 1, "", "Error: Could not process rule: Operation not permitted\nadd table inet drover\n^^^^\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> firewall.block(IpAddress.parse("192.0.2.1")));
        assertEquals("`nft 'add table inet drover; add set inet drover blocked4 { type ipv4_addr; flags interval; }; "
                + "add set inet drover blocked6 { type ipv6_addr; flags interval; }; "
                + "add chain inet drover input { type filter hook input priority 0; policy accept; }; flush chain inet drover input; "
                + "add rule inet drover input ip saddr @blocked4 drop; add rule inet drover input ip6 saddr @blocked6 drop'` exited 1: "
                + "Error: Could not process rule: Operation not permitted / add table inet drover / ^^^^", e.getMessage());
    }

    @Test
    void aLookupThatFailsForAnotherReasonIsAFailureNotAnAnswer() {
        ready();
        runner.answer("nft get element inet drover blocked4 { 192.0.2.1 }", 139, "", "Segmentation fault\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> firewall.isBlocked(IpAddress.parse("192.0.2.1")));
        assertEquals("`nft get element inet drover blocked4 { 192.0.2.1 }` exited 139: Segmentation fault", e.getMessage());
    }

    @Test
    void unreadableOutputIsAFailureNamingTheCommand() {
        runner.answer(LIST_CHAIN, 0, "table inet drover {", "");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> firewall.listBlocked());
        assertTrue(e.getMessage().startsWith("cannot read the output of `nft -j list chain inet drover input`: not JSON"), e.getMessage());
    }

    @Test
    void anotherTable() throws Exception {
        NftablesFirewall other = new NftablesFirewall(new Settings("agents.firewall", Map.of("table", "drover_lb")), runner);
        runner.answer("nft -j list chain inet drover_lb input", 0, fixture("nft-list-chain.json"), "")
                .answer("nft get element inet drover_lb blocked4 { 192.0.2.1 }", 1, "", NO_ELEMENT);
        assertTrue(other.block(IpAddress.parse("192.0.2.1")));
        assertEquals(List.of(
                words("nft -j list chain inet drover_lb input"),
                words("nft get element inet drover_lb blocked4 { 192.0.2.1 }"),
                words("nft add element inet drover_lb blocked4 { 192.0.2.1 }")), runner.take());
    }

    @ParameterizedTest
    @ValueSource(strings = {"drover; flush ruleset", "drover }", "", "-drover", "1drover", "dro-ver", "a_table_name_longer_than_32_chars"})
    void tableNamesThatCarrySyntaxAreRefused(String table) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new NftablesFirewall(new Settings("agents.firewall", Map.of("table", table)), runner));
        assertTrue(e.getMessage().startsWith("agents.firewall.table: '" + table + "' is not a table name"), e.getMessage());
    }

    @Test
    void everySettingIsReadSoATypoIsCaught() {
        Settings settings = new Settings("agents.firewall", Map.of("table", "drv", "command_prefix", List.of("ip", "netns", "exec", "ns1"),
                "command_timeout", 5));
        new NftablesFirewall(settings);
        settings.requireAllRead();

        Settings typo = new Settings("agents.firewall", Map.of("chain", "DROVER"));
        new NftablesFirewall(typo);
        ConfigException e = assertThrows(ConfigException.class, typo::requireAllRead);
        assertTrue(e.getMessage().startsWith("Unknown setting [chain] in agents.firewall"), e.getMessage());
    }

    @Test
    void itsName() {
        assertEquals("nftables", firewall.name());
        assertEquals(List.of(), runner.take(), "creating the provider runs nothing");
    }
}
