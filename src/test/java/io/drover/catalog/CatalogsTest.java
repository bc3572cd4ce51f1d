package io.drover.catalog;

import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogsTest {
    @Test
    void theBuiltInAgentsHaveCatalogs() {
        assertEquals(List.of("rpcutil", "firewall", "package", "service", "nrpe"),
                Catalogs.builtIn().stream().map(AgentCatalog::name).toList());
        assertEquals(FirewallCatalog.CATALOG, Catalogs.find("firewall").orElseThrow());
        assertTrue(Catalogs.find("deploy").isEmpty());
    }

    @Test
    void callsOfAnAgentWithoutACatalogPassUnchecked() {
        Catalogs.validate("deploy", "anything", Map.of("whatever", List.of(1, 2)));
    }

    @Test
    void anUnknownActionOfABuiltInAgentIsRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Catalogs.validate("service", "reload", Map.of()));
        assertEquals(Status.UNKNOWN_ACTION, e.status());
        assertEquals("agent service has no action reload (actions: start, stop, restart, status)", e.getMessage());
    }

    @Test
    void badInputOfABuiltInAgentIsRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Catalogs.validate("package", "install", Map.of("package", "mywebapp; reboot")));
        assertEquals(Status.INVALID_DATA, e.status());
        assertTrue(e.getMessage().startsWith("Input 'package' of package.install 'mywebapp; reboot' is not valid"), e.getMessage());
        Catalogs.validate("package", "install", Map.of("package", "mywebapp", "version", "4.2.6-3.el5"));
    }

    @Test
    void aCatalogRefusesTwoActionsOrInputsOfOneName() {
        ActionSpec start = ActionSpec.named("start", "").build();
        assertEquals("Agent app declares the action 'start' twice",
                assertThrows(IllegalArgumentException.class, () -> AgentCatalog.of("app", "", start, start)).getMessage());
        assertEquals("Action start declares the input 'name' twice", assertThrows(IllegalArgumentException.class,
                () -> ActionSpec.named("start", "").input(InputSpec.string("name")).input(InputSpec.bool("name")).build()).getMessage());
    }
}
