package io.drover.agents.pkg;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackageAgentTest {
    private final SandboxPackages provider = new SandboxPackages(new Settings("agents.package", Map.of(
            "installed", Map.of("mywebapp", "4.2.6-2.el5"),
            "available", Map.of("mywebapp", List.of("4.2.6-1.el5", "4.2.6-2.el5", "4.2.6-3.el5"), "libfoo", List.of("2.0~rc1-1")))));
    private final PackageAgent agent = new PackageAgent(provider);

    private ActionResult run(String actionName, String pkg, String version) throws Exception {
        Action action = agent.action(actionName);
        Map<String, Object> params = new HashMap<>();
        params.put("package", pkg);
        if (version != null) {
            params.put("version", version);
        }
        return action.handler().run(action.validate(agent.name(), params));
    }

    private static Map<String, Object> data(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    @Test
    void describesItself() {
        assertEquals("package", agent.name());
        assertEquals("sandbox", agent.provider());
        assertEquals(List.of("install", "update", "uninstall", "status"), agent.actions().stream().map(Action::name).toList());
        assertTrue(agent.serialized());
    }

    @Test
    void installReportsTheChange() throws Exception {
        ActionResult result = run("install", "libfoo", null);
        assertEquals(data("changed", true, "package", "libfoo", "installed", true, "version", "2.0~rc1-1", "arch", "x86_64",
                "previous_version", null), result.data());
        assertEquals("installed libfoo 2.0~rc1-1", result.message());
        assertEquals(List.of("changed", "package", "installed", "version", "arch", "previous_version"),
                List.copyOf(result.data().keySet()));
    }

    @Test
    void installOfAnInstalledPackageIsNoChange() throws Exception {
        ActionResult result = run("install", "mywebapp", null);
        assertEquals(false, result.data().get("changed"));
        assertEquals("4.2.6-2.el5", result.data().get("version"));
        assertEquals("4.2.6-2.el5", result.data().get("previous_version"));
        assertEquals("mywebapp 4.2.6-2.el5 already installed, nothing to do", result.message());
    }

    @Test
    void installExactVersion() throws Exception {
        ActionResult result = run("install", "mywebapp", "4.2.6-3.el5");
        assertEquals(true, result.data().get("changed"));
        assertEquals("4.2.6-3.el5", result.data().get("version"));
        assertEquals("4.2.6-2.el5", result.data().get("previous_version"));
        assertEquals("installed mywebapp 4.2.6-3.el5 (was 4.2.6-2.el5)", result.message());
    }

    @Test
    void installOfAMissingVersionFailsNamingTheAvailableOnes() {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run("install", "mywebapp", "5.0-1"));
        assertTrue(e.getMessage().contains("(available: 4.2.6-1.el5, 4.2.6-2.el5, 4.2.6-3.el5)"), e.getMessage());
    }

    @Test
    void update() throws Exception {
        ActionResult result = run("update", "mywebapp", null);
        assertEquals(true, result.data().get("changed"));
        assertEquals("4.2.6-3.el5", result.data().get("version"));
        assertEquals("4.2.6-2.el5", result.data().get("previous_version"));
        assertEquals("updated mywebapp 4.2.6-3.el5 (was 4.2.6-2.el5)", result.message());

        ActionResult again = run("update", "mywebapp", null);
        assertEquals(false, again.data().get("changed"));
        assertEquals("mywebapp 4.2.6-3.el5 already installed, nothing to do", again.message());
    }

    @Test
    void updateOfAPackageNotInstalledFails() {
        assertThrows(ActionFailedException.class, () -> run("update", "libfoo", null));
    }

    @Test
    void uninstall() throws Exception {
        ActionResult result = run("uninstall", "mywebapp", null);
        assertEquals(data("changed", true, "package", "mywebapp", "installed", false, "version", null, "arch", null,
                "previous_version", "4.2.6-2.el5"), result.data());
        assertEquals("removed mywebapp 4.2.6-2.el5", result.message());

        ActionResult again = run("uninstall", "mywebapp", null);
        assertEquals(false, again.data().get("changed"));
        assertEquals(null, again.data().get("previous_version"));
        assertEquals("mywebapp is not installed, nothing to do", again.message());
    }

    @Test
    void status() throws Exception {
        ActionResult installed = run("status", "mywebapp", null);
        assertEquals(data("package", "mywebapp", "installed", true, "version", "4.2.6-2.el5", "arch", "x86_64"), installed.data());
        assertEquals("mywebapp 4.2.6-2.el5 is installed", installed.message());

        ActionResult absent = run("status", "libfoo", null);
        assertEquals(data("package", "libfoo", "installed", false, "version", null, "arch", null), absent.data());
        assertEquals("libfoo is not installed", absent.message());
    }

    @Test
    void brokenPackageFailsWithTheToolsMessage() {
        provider.breakPackage("mywebapp", "dpkg: error processing package mywebapp (--configure)");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> run("update", "mywebapp", null));
        assertEquals("dpkg: error processing package mywebapp (--configure)", e.getMessage());
        assertEquals("4.2.6-2.el5", provider.status("mywebapp").version());
    }

    @Test
    void factoryBuildsTheSandboxAndRefusesUnknownProviders() {
        PackageAgent.Factory factory = new PackageAgent.Factory();
        assertEquals("package", factory.name());
        assertEquals("sandbox", factory.create(new Settings("agents.package", Map.of("provider", "sandbox")), null).provider());
        ConfigException e = assertThrows(ConfigException.class,
                () -> factory.create(new Settings("agents.package", Map.of("provider", "pacman")), null));
        assertTrue(e.getMessage().startsWith("Unknown package provider 'pacman' in agents.package; available providers: "
                + "sandbox, apt, dnf, yum (or auto)"), e.getMessage());
    }

    private ActionResult dryRun(String actionName, String pkg, String version) throws Exception {
        Action action = agent.action(actionName);
        Map<String, Object> params = new HashMap<>();
        params.put("package", pkg);
        if (version != null) {
            params.put("version", version);
        }
        return action.dryRunHandler().run(action.validate(agent.name(), params));
    }

    @Test
    void aDryRunPredictsWhatTheRealRunThenDoesAndChangesNothing() throws Exception {
        ActionResult predicted = dryRun("update", "mywebapp", null);
        assertEquals("would update mywebapp 4.2.6-2.el5 -> 4.2.6-3.el5", predicted.message());
        assertEquals("4.2.6-2.el5", provider.status("mywebapp").version(), "nothing changed");
        assertEquals(predicted.data(), run("update", "mywebapp", null).data(), "the real update does what was predicted");
        ActionResult nothing = dryRun("update", "mywebapp", null);
        assertEquals(false, nothing.data().get("changed"));
        assertEquals("mywebapp 4.2.6-3.el5 already installed, nothing to do", nothing.message());

        assertEquals("would install mywebapp 4.2.6-3.el5 -> 4.2.6-1.el5", dryRun("install", "mywebapp", "4.2.6-1.el5").message());
        assertEquals("would install libfoo 2.0~rc1-1", dryRun("install", "libfoo", null).message());
        ActionResult remove = dryRun("uninstall", "mywebapp", null);
        assertEquals("would remove mywebapp 4.2.6-3.el5", remove.message());
        assertEquals(remove.data(), run("uninstall", "mywebapp", null).data());
    }

    @Test
    void aDryRunSaysWhenTheActionWouldFail() {
        ActionFailedException missing = assertThrows(ActionFailedException.class, () -> dryRun("install", "nosuch", null));
        assertEquals("would fail: E: Unable to locate package nosuch", missing.getMessage());
        provider.breakPackage("mywebapp", "dpkg: error processing package mywebapp (--configure)");
        ActionFailedException broken = assertThrows(ActionFailedException.class, () -> dryRun("update", "mywebapp", null));
        assertEquals("would fail: dpkg: error processing package mywebapp (--configure)", broken.getMessage());
        assertThrows(ActionFailedException.class, () -> dryRun("update", "libfoo", null), "not installed, so not upgraded");
    }

    @Test
    void statusAnswersDryRunsAsUsual() {
        Action status = agent.action("status");
        assertEquals(status.handler(), status.dryRunHandler());
    }
}
