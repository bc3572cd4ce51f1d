package io.drover.agents.firewall;

import io.drover.agent.command.Programs;
import io.drover.catalog.IpAddress;
import io.drover.testing.RealTools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The iptables provider against iptables (the nft variant on current distributions), default chain. */
class IptablesFirewallIT extends FirewallContract {
    String iptables() {
        return "iptables";
    }

    String ip6tables() {
        return "ip6tables";
    }

    String chain() {
        return IptablesFirewall.DEFAULT_CHAIN;
    }

    @Override
    Map<String, Object> settings() {
        return Map.of("provider", "iptables");
    }

    @Override
    void requireTools() throws Exception {
        RealTools.require(iptables(), "iptables");
        RealTools.require(ip6tables(), "iptables");
    }

    @Override
    String hostRuleset() throws IOException {
        List<List<String>> commands = new ArrayList<>(List.of(List.of(iptables(), "-w", "-S"), List.of(ip6tables(), "-w", "-S")));
        if (Programs.exists("nft")) {
            commands.add(List.of("nft", "-s", "list", "ruleset"));
        }
        return outputs(commands);
    }

    @Override
    void addUnrelatedRules() throws IOException {
        for (String[] family : new String[][]{{iptables(), pair.lbIpv4(), "192.0.2.55"}, {ip6tables(), pair.lbIpv6(), "2001:db8::55"}}) {
            String program = family[0];
            // accepts the load balancer: Drover's jump must come before it to block it
            inNode(program, "-w", "-A", "INPUT", "-s", family[1], "-j", "ACCEPT");
            inNode(program, "-w", "-A", "INPUT", "-p", "tcp", "--dport", "2222", "-j", "ACCEPT");
            inNode(program, "-w", "-N", "MINE");
            inNode(program, "-w", "-A", "MINE", "-s", family[2], "-j", "DROP");
            inNode(program, "-w", "-A", "INPUT", "-j", "MINE");
        }
    }

    @Override
    String unrelatedRuleset() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String program : List.of(iptables(), ip6tables())) {
            for (String line : inNode(program, "-w", "-S").split("\n")) {
                boolean drovers = line.equals("-N " + chain()) || line.equals("-A INPUT -j " + chain())
                        || line.startsWith("-A " + chain() + " ");
                if (!drovers) {
                    out.append(program).append(' ').append(line).append('\n');
                }
            }
        }
        return out.toString();
    }

    @Override
    void unhook() throws IOException {
        for (String program : List.of(iptables(), ip6tables())) {
            inNode(program, "-w", "-D", "INPUT", "-j", chain());
        }
    }

    /** {@code iptables-save} of both families, without its timestamped comments and with the packet counters blanked. */
    @Override
    String nodeRuleset() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String program : List.of(iptables(), ip6tables())) {
            for (String line : inNode(program + "-save").split("\n")) {
                if (!line.startsWith("#")) {
                    out.append(program).append(' ').append(line.replaceAll("\\[\\d+:\\d+\\]", "[-:-]")).append('\n');
                }
            }
        }
        return out.toString();
    }

    @Test
    void theJumpComesFirstAndTheChainHoldsOnlyDroversRules() throws Exception {
        FirewallProvider firewall = firewall();
        firewall.block(IpAddress.parse(pair.lbIpv4()));
        firewall.block(IpAddress.parse(pair.lbIpv6() + "/64"));
        assertEquals("-A INPUT -j " + chain(), firstRule(iptables()));
        assertEquals("-A INPUT -j " + chain(), firstRule(ip6tables()));
        assertEquals("-N " + chain() + "\n-A " + chain() + " -s " + pair.lbIpv4() + "/32 -j DROP\n", inNode(iptables(), "-w", "-S", chain()));
        assertEquals("-N " + chain() + "\n-A " + chain() + " -s " + IpAddress.parse(pair.lbIpv6() + "/64") + " -j DROP\n",
                inNode(ip6tables(), "-w", "-S", chain()));
    }

    private String firstRule(String program) throws IOException {
        return inNode(program, "-w", "-S", "INPUT").lines().filter(line -> line.startsWith("-A ")).findFirst().orElse("");
    }
}
