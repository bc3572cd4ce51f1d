package io.drover.agents.firewall;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import org.junit.jupiter.api.Assumptions;

import java.util.Map;

/** The iptables provider against iptables-legacy (x_tables in the kernel), with its own chain name. */
class IptablesLegacyFirewallIT extends IptablesFirewallIT {
    @Override
    String iptables() {
        return "iptables-legacy";
    }

    @Override
    String ip6tables() {
        return "ip6tables-legacy";
    }

    @Override
    String chain() {
        return "DRV_LB";
    }

    @Override
    Map<String, Object> settings() {
        return Map.of("provider", "iptables", "chain", chain(), "iptables", iptables(), "ip6tables", ip6tables());
    }

    @Override
    void requireTools() throws Exception {
        super.requireTools();
        // The programs can be installed on a kernel built without the legacy tables (CONFIG_IP_NF_IPTABLES_LEGACY):
        // that is the machine, not a missing package, so the test is skipped even in CI. Tried in a throwaway
        // network namespace.
        for (String program : new String[]{iptables(), ip6tables()}) {
            CommandResult probe = HOST.run(Command.of("unshare", "--net", program, "-w", "-S"));
            Assumptions.assumeTrue(probe.succeeded(), () -> "this kernel has no legacy iptables: " + probe.describe());
        }
    }
}
