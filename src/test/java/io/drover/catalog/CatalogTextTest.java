package io.drover.catalog;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogTextTest {
    @Test
    void rendersActionsInputsAndOutputs() {
        AgentCatalog catalog = AgentCatalog.of("app", "Deploy the app",
                ActionSpec.named("deploy", "Deploy a version")
                        .input(InputSpec.string("version").required().maxLength(32).matching("[0-9.]+", "1.2.3")
                                .describedAs("version to deploy"))
                        .input(InputSpec.integer("delay").defaultingTo(5).describedAs("seconds to wait first"))
                        .input(InputSpec.ipAddress("from"))
                        .output("changed", OutputType.BOOLEAN, "false if it was deployed already")
                        .output("version", OutputType.STRING, "deployed version").build(),
                ActionSpec.named("ping", "").build());
        assertEquals("""
                app: Deploy the app

                  app deploy version=... [delay=...] [from=...]
                    Deploy a version
                    inputs:
                      version (string, required, pattern [0-9.]+, at most 32 characters, e.g. 1.2.3): version to deploy
                      delay (integer, default 5): seconds to wait first
                      from (ip_address, optional, at most 64 characters)
                    outputs:
                      changed (boolean): false if it was deployed already
                      version (string): deployed version

                  app ping
                """, CatalogText.render(catalog));
    }

    @Test
    void rendersEveryBuiltInCatalog() {
        String firewall = CatalogText.render(FirewallCatalog.CATALOG);
        assertTrue(firewall.contains("  firewall block address=...\n    Drop incoming traffic from an address\n"), firewall);
        assertTrue(firewall.contains("      address (ip_address, required, at most 64 characters): IPv4 or IPv6 address"), firewall);
        assertTrue(firewall.contains("      blocked (boolean): always true after success\n"), firewall);
        for (AgentCatalog catalog : Catalogs.builtIn()) {
            String text = CatalogText.render(catalog);
            for (ActionSpec action : catalog.actions()) {
                assertTrue(text.contains("  " + catalog.name() + " " + action.name()), text);
            }
        }
    }

    @Test
    void summarisesAgentsOneALine() {
        assertEquals("""
                rpcutil: Discovery and node information (ping, inventory, get_fact)
                firewall: Block and unblock incoming traffic by source address (block, unblock, is_blocked, list_blocked)
                """, CatalogText.summary(List.of(RpcutilCatalog.CATALOG, FirewallCatalog.CATALOG)));
    }
}
