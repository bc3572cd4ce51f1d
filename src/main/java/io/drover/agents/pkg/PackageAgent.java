package io.drover.agents.pkg;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.Input;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Providers;
import io.drover.agent.plugin.Settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code package} agent: install (optionally a version), update, uninstall, status. Idempotent. */
public final class PackageAgent implements AgentPlugin {
    /** Debian and RPM package names; a leading letter or digit keeps option-like values out. */
    static final String NAME_SYNTAX = "[A-Za-z0-9][A-Za-z0-9._+-]*";
    /** Debian and RPM versions, with optional epoch: {@code 1:4.2.6-3.el5}, {@code 2.0~rc1-1}. */
    static final String VERSION_SYNTAX = "[A-Za-z0-9][A-Za-z0-9.+~:_-]*";
    static final int MAX_LENGTH = 128;
    static final Input PACKAGE = Input.string("package").required().maxLength(MAX_LENGTH)
            .matching(NAME_SYNTAX, "mywebapp")
            .describedAs("package name");
    static final Input VERSION = Input.string("version").maxLength(MAX_LENGTH)
            .matching(VERSION_SYNTAX, "4.2.6-3.el5")
            .describedAs("exact version to install");

    private final PackageProvider provider;
    private final List<Action> actions;

    public PackageAgent(PackageProvider provider) {
        this.provider = provider;
        this.actions = List.of(
                Action.named("install", "Install a package, optionally an exact version").input(PACKAGE).input(VERSION)
                        .output("changed", "false if that version was already installed")
                        .output("version", "installed version").output("previous_version", "version before")
                        .handledBy(inputs -> changeResult("installed",
                                provider.install(inputs.string("package"), inputs.optionalString("version")))),
                Action.named("update", "Upgrade an installed package to the newest version its repositories offer")
                        .input(PACKAGE)
                        .output("changed", "false if it was already the newest")
                        .output("version", "installed version").output("previous_version", "version before")
                        .handledBy(inputs -> changeResult("updated", provider.update(inputs.string("package")))),
                Action.named("uninstall", "Remove a package").input(PACKAGE)
                        .output("changed", "false if it was not installed").output("previous_version", "version before")
                        .handledBy(inputs -> changeResult("removed", provider.uninstall(inputs.string("package")))),
                Action.named("status", "Installed version and architecture of a package").input(PACKAGE)
                        .output("installed", "true if installed").output("version", "installed version")
                        .output("arch", "architecture")
                        .handledBy(inputs -> {
                            PackageStatus status = provider.status(inputs.string("package"));
                            return ActionResult.of(status.installed()
                                    ? status.name() + " " + status.version() + " is installed"
                                    : status.name() + " is not installed", status.toData());
                        }));
    }

    private static ActionResult changeResult(String verb, PackageProvider.PackageChange change) throws ActionFailedException {
        PackageStatus after = change.after();
        Map<String, Object> data = new LinkedHashMap<>(after.toData());
        data.put("previous_version", change.before().version());
        String message;
        if (!change.changed()) {
            message = after.installed() ? after.name() + " " + after.version() + " already installed, nothing to do"
                    : after.name() + " is not installed, nothing to do";
        } else if (after.installed()) {
            message = verb + " " + after.name() + " " + after.version()
                    + (change.before().installed() ? " (was " + change.before().version() + ")" : "");
        } else {
            message = verb + " " + after.name() + " " + change.before().version();
        }
        return ActionResult.changed(change.changed(), message, data);
    }

    @Override
    public String name() {
        return "package";
    }

    @Override
    public String description() {
        return "Install, update and remove packages";
    }

    @Override
    public List<Action> actions() {
        return actions;
    }

    @Override
    public String provider() {
        return provider.name();
    }

    public PackageProvider packages() {
        return provider;
    }

    /** The providers this plugin can use. */
    static final Providers<PackageProvider> PROVIDERS = Providers.<PackageProvider>of("package")
            .with("sandbox", SandboxPackages::new)
            .detected("apt", settings -> AptPackages.available(), AptPackages::new)
            .detected("dnf", settings -> DnfPackages.available("dnf"), settings -> new DnfPackages(settings, "dnf"))
            .detected("yum", settings -> DnfPackages.available("yum"), settings -> new DnfPackages(settings, "yum"));

    /** Creates the plugin with the provider named by {@code agents.package.provider}. */
    public static final class Factory implements PluginFactory {
        @Override
        public String name() {
            return "package";
        }

        @Override
        public AgentPlugin create(Settings settings, NodeContext node) {
            return new PackageAgent(PROVIDERS.create(settings));
        }
    }
}
