package io.drover.agents.firewall;

import io.drover.agent.command.Programs;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirewallProvidersTest {
    private static FirewallProvider create(Map<String, Object> values) {
        Settings settings = new Settings("agents.firewall", values);
        FirewallProvider provider = FirewallAgent.PROVIDERS.create(settings);
        settings.requireAllRead();
        return provider;
    }

    @Test
    void theRealProvidersAreRegisteredAfterTheSandbox() {
        assertEquals(List.of("sandbox", "iptables", "nftables"), FirewallAgent.PROVIDERS.names());
    }

    @Test
    void namedProvidersAreCreatedWhetherOrNotTheirToolsAreHere() {
        assertInstanceOf(IptablesFirewall.class, create(Map.of("provider", "iptables", "chain", "DRV")));
        assertInstanceOf(NftablesFirewall.class, create(Map.of("provider", "nftables", "table", "drv")));
    }

    @Test
    void autoPrefersIptablesThenNftables() {
        boolean iptables = Programs.exists("iptables") && Programs.exists("ip6tables");
        boolean nft = Programs.exists("nft");
        for (Map<String, Object> settings : List.of(Map.<String, Object>of(), Map.<String, Object>of("provider", "auto"))) {
            if (iptables || nft) {
                assertEquals(iptables ? "iptables" : "nftables", create(settings).name());
            } else {
                ConfigException e = assertThrows(ConfigException.class, () -> create(settings));
                assertTrue(e.getMessage().startsWith("No firewall provider works on this host (looked for: iptables, nftables)"),
                        e.getMessage());
            }
        }
    }
}
