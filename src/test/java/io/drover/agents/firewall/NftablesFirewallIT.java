package io.drover.agents.firewall;

import io.drover.catalog.IpAddress;
import io.drover.testing.RealTools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nftables provider against nft, in its default table. */
class NftablesFirewallIT extends FirewallContract {
    private static final String TABLE = "table inet " + NftablesFirewall.DEFAULT_TABLE;

    @Override
    Map<String, Object> settings() {
        return Map.of("provider", "nftables");
    }

    @Override
    void requireTools() {
        RealTools.require("nft", "nftables");
    }

    /** {@code nft -s list ruleset} in the node: the whole ruleset, stateless (no counters). */
    @Override
    String nodeRuleset() throws IOException {
        return inNode("nft", "-s", "list", "ruleset");
    }

    @Override
    String hostRuleset() throws IOException {
        return outputs(List.of(List.of("nft", "-s", "list", "ruleset")));
    }

    @Override
    void addUnrelatedRules() throws IOException {
        // an earlier chain that accepts the load balancer (a drop in any base chain still wins), and a set with
        // the name of Drover's in another table
        inNode("nft", "add table inet mine; "
                + "add chain inet mine early { type filter hook input priority -10; policy accept; }; "
                + "add rule inet mine early ip saddr " + pair.lbIpv4() + " accept; "
                + "add rule inet mine early ip6 saddr " + pair.lbIpv6() + " accept; "
                + "add rule inet mine early tcp dport 2222 accept; "
                + "add set inet mine blocked4 { type ipv4_addr; flags interval; }; "
                + "add element inet mine blocked4 { 192.0.2.55, 198.51.100.0/24 }; "
                + "add table ip other; add chain ip other input { type filter hook input priority 10; policy accept; }");
    }

    @Override
    String unrelatedRuleset() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String table : inNode("nft", "list", "tables").split("\n")) {
            if (!table.isBlank() && !table.equals(TABLE)) {
                String[] words = table.split(" ");
                out.append(inNode("nft", "-s", "list", "table", words[1], words[2]));
            }
        }
        return out.toString();
    }

    @Override
    void unhook() throws IOException {
        inNode("nft", "flush", "chain", "inet", NftablesFirewall.DEFAULT_TABLE, NftablesFirewall.CHAIN);
    }

    @Test
    void droversTableIsExactlyTheSetsAndTheDrops() throws Exception {
        firewall().block(IpAddress.parse(pair.lbIpv4()));
        firewall().block(IpAddress.parse(pair.lbIpv6() + "/64"));
        assertEquals(String.join("\n",
                TABLE + " {",
                "\tset blocked4 {",
                "\t\ttype ipv4_addr",
                "\t\tflags interval",
                "\t\telements = { " + pair.lbIpv4() + " }",
                "\t}",
                "",
                "\tset blocked6 {",
                "\t\ttype ipv6_addr",
                "\t\tflags interval",
                "\t\telements = { " + IpAddress.parse(pair.lbIpv6() + "/64") + " }",
                "\t}",
                "",
                "\tchain input {",
                "\t\ttype filter hook input priority filter; policy accept;",
                "\t\tip saddr @blocked4 drop",
                "\t\tip6 saddr @blocked6 drop",
                "\t}",
                "}",
                ""), inNode("nft", "-s", "list", "table", "inet", NftablesFirewall.DEFAULT_TABLE));
    }

    @Test
    void anOverlappingBlockFailsSayingWhatToDo() throws Exception {
        IpAddress network = IpAddress.parse(pair.lbIpv4() + "/24");
        assertTrue(firewall().block(network));
        var e = assertThrows(io.drover.agent.plugin.ActionFailedException.class, () -> firewall().block(IpAddress.parse(pair.lbIpv4())));
        assertTrue(e.getMessage().contains("Error: interval overlaps with an existing one"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; " + pair.lbIpv4() + " overlaps " + network + " already blocked, and an nftables "
                + "interval set cannot hold overlapping entries: unblock it first, or keep the wider one"), e.getMessage());
        assertEquals(List.of(network.toString()), firewall().listBlocked());
    }
}
