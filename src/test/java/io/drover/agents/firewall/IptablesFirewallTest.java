package io.drover.agents.firewall;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.IpAddress;
import io.drover.testing.RecordingCommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.drover.testing.RecordingCommandRunner.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IptablesFirewallTest {
    private static final String NO_CHAIN = "iptables v1.8.9 (nf_tables): Chain 'DROVER' does not exist\n"
            + "Try `iptables -h' or 'iptables --help' for more information.\n";
    private static final String BAD_RULE = "iptables: Bad rule (does a matching rule exist in that chain?).\n";
    private static final String LOCKED = "Another app is currently holding the xtables lock. Stopped waiting after 30s.\n";

    private final RecordingCommandRunner runner = new RecordingCommandRunner();
    private final IptablesFirewall firewall = firewall(Map.of());

    private IptablesFirewall firewall(Map<String, Object> settings) {
        return new IptablesFirewall(new Settings("agents.firewall", settings), runner);
    }

    static String fixture(String name) {
        try (InputStream in = IptablesFirewallTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<List<String>> commands(String... lines) {
        return List.of(lines).stream().map(RecordingCommandRunner::words).toList();
    }

    /** Neither the chain nor the jump exists yet: a fresh host. */
    private void freshHost(String program) {
        runner.answer(program + " -w -C INPUT -j DROVER", 2, "", NO_CHAIN)
                .answer(program + " -w -C INPUT -j DROVER", 0, "", "")
                .answer(program + " -w -S DROVER", 1, "", "iptables: No chain/target/match by that name.\n");
    }

    @Test
    void firstBlockCreatesTheChainAndTheJumpThenAppendsTheRule() throws Exception {
        freshHost("iptables");
        runner.answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 1, "", BAD_RULE)
                .answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 0, "", "");

        assertTrue(firewall.block(IpAddress.parse("192.0.2.1")));
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -S DROVER",
                "iptables -w -N DROVER",
                "iptables -w -I INPUT -j DROVER",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP",
                "iptables -w -A DROVER -s 192.0.2.1 -j DROP"), runner.take());

        assertFalse(firewall.block(IpAddress.parse("192.0.2.1")), "a second block changes nothing");
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP"), runner.take(), "the chain and the jump are made once");
    }

    @Test
    void ipv6GoesThroughIp6tablesWithTheCanonicalAddress() throws Exception {
        freshHost("ip6tables");
        runner.answer("ip6tables -w -C DROVER -s 2001:db8::1 -j DROP", 1, "", BAD_RULE);

        assertTrue(firewall.block(IpAddress.parse("2001:0DB8:0:0::0:1")));
        assertEquals(commands(
                "ip6tables -w -C INPUT -j DROVER",
                "ip6tables -w -S DROVER",
                "ip6tables -w -N DROVER",
                "ip6tables -w -I INPUT -j DROVER",
                "ip6tables -w -C DROVER -s 2001:db8::1 -j DROP",
                "ip6tables -w -A DROVER -s 2001:db8::1 -j DROP"), runner.take());
    }

    @Test
    void networksKeepTheirPrefix() throws Exception {
        runner.answer("iptables -w -C DROVER -s 10.0.0.0/8 -j DROP", 1, "", BAD_RULE)
                .answer("ip6tables -w -C DROVER -s 2001:db8::/32 -j DROP", 1, "", BAD_RULE);
        assertTrue(firewall.block(IpAddress.parse("10.20.30.40/8")));
        assertTrue(firewall.block(IpAddress.parse("2001:db8:ff::/32")));
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -C DROVER -s 10.0.0.0/8 -j DROP",
                "iptables -w -A DROVER -s 10.0.0.0/8 -j DROP",
                "ip6tables -w -C INPUT -j DROVER",
                "ip6tables -w -C DROVER -s 2001:db8::/32 -j DROP",
                "ip6tables -w -A DROVER -s 2001:db8::/32 -j DROP"), runner.take());
    }

    @Test
    void aChainThatLostItsJumpIsHookedAgainWithoutBeingRecreated() throws Exception {
        // what `iptables -F INPUT` or a firewall reload leaves behind: Drover's chain and rules, but no jump
        runner.answer("iptables -w -C INPUT -j DROVER", 1, "", BAD_RULE)
                .answer("iptables -w -C INPUT -j DROVER", 0, "", "");
        assertTrue(firewall.isBlocked(IpAddress.parse("192.0.2.1")));
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -S DROVER",
                "iptables -w -I INPUT -j DROVER",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP"), runner.take());
    }

    @Test
    void unblockDeletesWhilePresentSoDuplicatesGoToo() throws Exception {
        runner.answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 0, "", "")
                .answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 0, "", "")
                .answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 1, "", BAD_RULE);
        assertTrue(firewall.unblock(IpAddress.parse("192.0.2.1")));
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP",
                "iptables -w -D DROVER -s 192.0.2.1 -j DROP",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP",
                "iptables -w -D DROVER -s 192.0.2.1 -j DROP",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP"), runner.take());

        assertFalse(firewall.unblock(IpAddress.parse("192.0.2.1")), "unblocking again changes nothing");
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP"), runner.take());
    }

    @Test
    void unblockIpv6() throws Exception {
        runner.answer("ip6tables -w -C DROVER -s fd00::5 -j DROP", 0, "", "")
                .answer("ip6tables -w -C DROVER -s fd00::5 -j DROP", 1, "", BAD_RULE);
        assertTrue(firewall.unblock(IpAddress.parse("fd00:0::5")));
        assertEquals(commands(
                "ip6tables -w -C INPUT -j DROVER",
                "ip6tables -w -C DROVER -s fd00::5 -j DROP",
                "ip6tables -w -D DROVER -s fd00::5 -j DROP",
                "ip6tables -w -C DROVER -s fd00::5 -j DROP"), runner.take());
    }

    @Test
    void isBlockedAsksTheKernel() throws Exception {
        runner.answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 0, "", "")
                .answer("ip6tables -w -C DROVER -s 2001:db8::1 -j DROP", 1, "", BAD_RULE);
        assertTrue(firewall.isBlocked(IpAddress.parse("192.0.2.1")));
        assertFalse(firewall.isBlocked(IpAddress.parse("2001:db8::1")));
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -C DROVER -s 192.0.2.1 -j DROP",
                "ip6tables -w -C INPUT -j DROVER",
                "ip6tables -w -C DROVER -s 2001:db8::1 -j DROP"), runner.take());
    }

    @Test
    void listBlockedReadsBothFamiliesAndKeepsOnlyDroversRules() throws Exception {
        runner.answer("iptables -w -S DROVER", 0, fixture("iptables-S-DROVER.txt"), "")
                .answer("ip6tables -w -S DROVER", 0, fixture("ip6tables-S-DROVER.txt"), "");
        // the fixtures, captured from iptables 1.8.9, also hold rules someone else put in the chain:
        // a port match, a negation, an ACCEPT and a comment
        assertEquals(List.of("10.0.0.0/8", "10.77.3.1", "2001:db8:0:1::/64", "2001:db8::1", "203.0.113.9", "fd00::1:0:0:5"),
                firewall.listBlocked());
        assertEquals(commands(
                "iptables -w -C INPUT -j DROVER",
                "iptables -w -S DROVER",
                "ip6tables -w -C INPUT -j DROVER",
                "ip6tables -w -S DROVER"), runner.take());
    }

    @Test
    void listBlockedWithIptablesLegacyAndAnotherChain() throws Exception {
        IptablesFirewall legacy = firewall(Map.of("iptables", "iptables-legacy", "ip6tables", "ip6tables-legacy", "chain", "DRV-LB"));
        runner.answer("iptables-legacy -w -S DRV-LB", 0, fixture("iptables-legacy-S-DROVER.txt").replace("DROVER", "DRV-LB"), "")
                .answer("ip6tables-legacy -w -S DRV-LB", 0, "-N DRV-LB\n", "");
        assertEquals(List.of("172.16.0.0/12", "198.51.100.4"), legacy.listBlocked());
        assertEquals(commands(
                "iptables-legacy -w -C INPUT -j DRV-LB",
                "iptables-legacy -w -S DRV-LB",
                "ip6tables-legacy -w -C INPUT -j DRV-LB",
                "ip6tables-legacy -w -S DRV-LB"), runner.take());
    }

    @Test
    void rulesOfAnotherChainNameAreNotDrovers() throws Exception {
        IptablesFirewall other = firewall(Map.of("chain", "DROVER2"));
        runner.answer("iptables -w -S DROVER2", 0, "-N DROVER2\n-A DROVER -s 192.0.2.1/32 -j DROP\n-A DROVER2 -s 192.0.2.2/32 -j DROP\n", "")
                .answer("ip6tables -w -S DROVER2", 0, "-N DROVER2\n", "");
        assertEquals(List.of("192.0.2.2"), other.listBlocked());
    }

    @Test
    void aFailedCommandNamesItselfAndWhatItSaid() {
        runner.answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 1, "", BAD_RULE)
                .answer("iptables -w -A DROVER -s 192.0.2.1 -j DROP", 4, "", LOCKED);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> firewall.block(IpAddress.parse("192.0.2.1")));
        assertEquals("`iptables -w -A DROVER -s 192.0.2.1 -j DROP` exited 4: Another app is currently holding the xtables lock. "
                + "Stopped waiting after 30s.", e.getMessage());
        assertEquals(4, e.data().get("exitcode"));
    }

    @Test
    void aCheckThatFailsForAnotherReasonIsAFailureNotAnAnswer() {
        runner.answer("iptables -w -C DROVER -s 192.0.2.1 -j DROP", 4, "", LOCKED);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> firewall.isBlocked(IpAddress.parse("192.0.2.1")));
        assertTrue(e.getMessage().startsWith("`iptables -w -C DROVER -s 192.0.2.1 -j DROP` exited 4: Another app"), e.getMessage());
    }

    @Test
    void aChainThatCannotBeCreatedSaysWhy() {
        runner.answer("iptables -w -C INPUT -j DROVER", 3, "", "")
                .answer("iptables -w -S DROVER", 3, "", "")
                .answer("iptables -w -N DROVER", 3, "",
                        "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> firewall.block(IpAddress.parse("192.0.2.1")));
        assertEquals("`iptables -w -N DROVER` exited 3: iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: "
                + "Permission denied (you must be root)", e.getMessage());
        assertEquals(List.of(words("iptables -w -C INPUT -j DROVER"), words("iptables -w -S DROVER"), words("iptables -w -N DROVER")),
                runner.take(), "nothing more is tried");
    }

    @ParameterizedTest
    @ValueSource(strings = {"INPUT", "input", "FORWARD", "-F", "DROVER -j ACCEPT", "a;b", "", "1DROVER",
            "A_CHAIN_NAME_THAT_IS_TOO_LONG"})
    void chainNamesThatCannotBeDroversAreRefused(String chain) {
        ConfigException e = assertThrows(ConfigException.class, () -> firewall(Map.of("chain", chain)));
        assertTrue(e.getMessage().startsWith("agents.firewall.chain: '" + chain + "' is not a chain name Drover can own"), e.getMessage());
    }

    @Test
    void aProgramSettingMustNameAProgram() {
        ConfigException e = assertThrows(ConfigException.class, () -> firewall(Map.of("ip6tables", "-F")));
        assertTrue(e.getMessage().startsWith("agents.firewall.ip6tables: '-F' is not a program"), e.getMessage());
    }

    @Test
    void everySettingIsReadSoATypoIsCaught() {
        Settings settings = new Settings("agents.firewall", Map.of("chain", "DRV", "iptables", "iptables-legacy",
                "ip6tables", "ip6tables-legacy", "command_prefix", List.of("ip", "netns", "exec", "ns1"), "command_timeout", 5));
        new IptablesFirewall(settings);
        settings.requireAllRead();

        Settings typo = new Settings("agents.firewall", Map.of("chian", "DRV"));
        new IptablesFirewall(typo);
        ConfigException e = assertThrows(ConfigException.class, typo::requireAllRead);
        assertTrue(e.getMessage().startsWith("Unknown setting [chian] in agents.firewall"), e.getMessage());
    }

    @Test
    void itsName() {
        assertEquals("iptables", firewall.name());
        assertEquals(List.of(), runner.take(), "creating the provider runs nothing");
    }
}
