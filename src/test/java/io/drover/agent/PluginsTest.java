package io.drover.agent;

import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Actions;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Settings;
import io.drover.agents.rpcutil.RpcutilAgent;
import io.drover.catalog.ActionSpec;
import io.drover.catalog.AgentCatalog;
import io.drover.catalog.Catalogs;
import io.drover.testing.TestPlugin;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginsTest {
    private static final AgentCatalog DEPLOY = AgentCatalog.of("deploy", "deploys",
            ActionSpec.named("start", "").build(), ActionSpec.named("stop", "").build());

    private static Node nodeWith(PluginFactory factory) {
        return Node.build(new NodeSpec("web01", List.of("drover"), Set.of(), Map.of(), Map.of(factory.name(), Map.of())),
                new Plugins(List.of(new RpcutilAgent.Factory(), factory)));
    }

    /** A factory of a plugin with catalog {@link #DEPLOY} whose handlers {@code bind} binds. */
    private static PluginFactory deploy(String name, Function<Actions, Actions> bind) {
        return new PluginFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AgentPlugin create(Settings settings, NodeContext node) {
                var actions = bind.apply(Actions.of(DEPLOY)).bind();
                return new AgentPlugin() {
                    @Override
                    public AgentCatalog catalog() {
                        return DEPLOY;
                    }

                    @Override
                    public List<io.drover.agent.plugin.Action> actions() {
                        return actions;
                    }
                };
            }
        };
    }

    @Test
    void theBuiltInPluginsAreFoundOnTheClassPathWithTheCatalogsTheRunnerChecksAgainst() {
        Node node = Node.build(new NodeSpec("web01", List.of("drover"), Set.of(), Map.of(), Map.of(
                "firewall", Map.of("provider", "sandbox"), "package", Map.of("provider", "sandbox"),
                "service", Map.of("provider", "sandbox"), "nrpe", Map.of("provider", "sandbox"))), Plugins.installed());
        assertEquals(Set.of("rpcutil", "firewall", "package", "service", "nrpe"), node.agents());
        for (AgentCatalog catalog : Catalogs.builtIn()) {
            assertSame(catalog, node.plugin(catalog.name()).catalog(), catalog.name());
        }
    }

    @Test
    void anUnknownPluginNameIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class, () -> Plugins.installed().factory("firewal"));
        assertEquals("Unknown agent plugin 'firewal'; available: rpcutil, firewall, package, service, nrpe. A plugin of "
                + "another jar must be on the agent's class path", e.getMessage());
    }

    @Test
    void twoPluginsOfTheSameNameAreAClearError() {
        PluginFactory other = TestPlugin.named("firewall", "another firewall").action("block", inputs -> ActionResult.of("", Map.of()))
                .factory();
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Plugins(List.of(new RpcutilAgent.Factory(), new io.drover.agents.firewall.FirewallAgent.Factory(), other)));
        assertTrue(e.getMessage().startsWith("Two agent plugins are named 'firewall': io.drover.agents.firewall.FirewallAgent$Factory"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; remove one of them from the agent's class path"), e.getMessage());
    }

    @Test
    void aHandlerForAnActionTheCatalogDoesNotDeclareFailsAtLoad() {
        ConfigException e = assertThrows(ConfigException.class, () -> nodeWith(deploy("deploy", actions -> actions
                .on("start", inputs -> ActionResult.of("", Map.of())).on("stop", inputs -> ActionResult.of("", Map.of()))
                .on("rollback", inputs -> ActionResult.of("", Map.of())))));
        assertEquals("Plugin deploy binds a handler to 'rollback', which its catalog does not declare (declared: start, stop); "
                + "add the action to the catalog or fix the name", e.getMessage());
    }

    @Test
    void aDeclaredActionWithoutAHandlerFailsAtLoad() {
        ConfigException e = assertThrows(ConfigException.class, () -> nodeWith(deploy("deploy", actions -> actions
                .on("start", inputs -> ActionResult.of("", Map.of())))));
        assertTrue(e.getMessage().startsWith("Plugin deploy has no handler for stop, declared in its catalog"), e.getMessage());
    }

    @Test
    void aPluginConfiguredUnderANameItsCatalogDoesNotHaveFailsAtLoad() {
        ConfigException e = assertThrows(ConfigException.class, () -> nodeWith(deploy("deployer", actions -> actions
                .on("start", inputs -> ActionResult.of("", Map.of())).on("stop", inputs -> ActionResult.of("", Map.of())))));
        assertTrue(e.getMessage().contains("is configured as 'deployer' but calls itself 'deploy'"), e.getMessage());
    }

    @Test
    void aNodeSideCheckOfAnInputTheCatalogDoesNotDeclareFailsAtLoad() {
        ConfigException e = assertThrows(ConfigException.class, () -> Actions.of(DEPLOY).checking("start", "version", v -> v));
        assertEquals("Plugin deploy checks 'version' of start, which its catalog does not declare as a string input", e.getMessage());
    }
}
