package io.drover.agent.plugin;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvidersTest {
    private final Providers<String> providers = Providers.<String>of("firewall")
            .with("sandbox", settings -> "sandbox")
            .detected("iptables", settings -> false, settings -> "iptables")
            .detected("nftables", settings -> true, settings -> "nftables");

    private static Settings settings(Map<String, Object> values) {
        return new Settings("agents.firewall", values);
    }

    @Test
    void anExplicitNameWins() {
        assertEquals("sandbox", providers.create(settings(Map.of("provider", "sandbox"))));
        assertEquals("iptables", providers.create(settings(Map.of("provider", "iptables"))), "named even if not detected");
    }

    @Test
    void withoutANameTheFirstDetectedProviderIsChosenNeverTheSandbox() {
        assertEquals("nftables", providers.create(settings(Map.of())));
        assertEquals("nftables", providers.create(settings(Map.of("provider", "auto"))));
    }

    @Test
    void nothingDetectedNamesWhatWasTried() {
        Providers<String> none = Providers.<String>of("package").with("sandbox", s -> "sandbox")
                .detected("apt", s -> false, s -> "apt").detected("dnf", s -> false, s -> "dnf");
        ConfigException e = assertThrows(ConfigException.class, () -> none.create(settings(Map.of())));
        assertTrue(e.getMessage().contains("No package provider works on this host (looked for: apt, dnf)"), e.getMessage());
        assertTrue(e.getMessage().contains("agents.firewall.provider"), e.getMessage());
    }

    @Test
    void anUnknownNameListsTheProviders() {
        ConfigException e = assertThrows(ConfigException.class, () -> providers.create(settings(Map.of("provider", "ufw"))));
        assertEquals("Unknown firewall provider 'ufw' in agents.firewall; available providers: sandbox, iptables, nftables (or auto)",
                e.getMessage());
    }
}
