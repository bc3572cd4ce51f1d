package io.drover.agents.pkg;

import io.drover.agent.plugin.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PackageProvidersTest {
    @Test
    void theRealProvidersAreRegisteredAfterTheSandbox() {
        assertEquals(List.of("sandbox", "apt", "dnf", "yum"), PackageAgent.PROVIDERS.names());
    }

    @Test
    void autoPicksAptOnADebianLikeHost() {
        assumeTrue(AptPackages.available(), "apt-get, apt-cache and dpkg-query are not on this host");
        assertInstanceOf(AptPackages.class, PackageAgent.PROVIDERS.create(new Settings("agents.package", Map.of())));
        assertInstanceOf(AptPackages.class, PackageAgent.PROVIDERS.create(new Settings("agents.package", Map.of("provider", "auto"))));
    }

    @Test
    void dnfAndYumAreNamedProviders() {
        assertEquals("dnf", PackageAgent.PROVIDERS.create(new Settings("agents.package", Map.of("provider", "dnf"))).name());
        assertEquals("yum", PackageAgent.PROVIDERS.create(new Settings("agents.package", Map.of("provider", "yum"))).name());
    }
}
