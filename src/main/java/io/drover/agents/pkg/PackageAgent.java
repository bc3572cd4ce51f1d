package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Actions;
import io.drover.agent.plugin.ProviderPlugin;
import io.drover.agent.plugin.ProviderPluginFactory;
import io.drover.agent.plugin.Providers;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.drover.catalog.PackageCatalog.CATALOG;
import static io.drover.catalog.PackageCatalog.INSTALL;
import static io.drover.catalog.PackageCatalog.PACKAGE;
import static io.drover.catalog.PackageCatalog.PREVIOUS_VERSION;
import static io.drover.catalog.PackageCatalog.STATUS;
import static io.drover.catalog.PackageCatalog.UNINSTALL;
import static io.drover.catalog.PackageCatalog.UPDATE;
import static io.drover.catalog.PackageCatalog.VERSION;

/** The {@code package} agent: install (optionally a version), update, uninstall, status. Idempotent. */
public final class PackageAgent extends ProviderPlugin<PackageProvider> {
    public PackageAgent(PackageProvider provider) {
        super(provider, Actions.of(CATALOG)
                .on(INSTALL, inputs -> changeResult("installed",
                        provider.install(inputs.string(PACKAGE), inputs.optionalString(VERSION))),
                        inputs -> planResult("install", provider.planInstall(inputs.string(PACKAGE), inputs.optionalString(VERSION))))
                .on(UPDATE, inputs -> changeResult("updated", provider.update(inputs.string(PACKAGE))),
                        inputs -> planResult("update", provider.planUpdate(inputs.string(PACKAGE))))
                .on(UNINSTALL, inputs -> changeResult("removed", provider.uninstall(inputs.string(PACKAGE))),
                        inputs -> planResult("remove", provider.planUninstall(inputs.string(PACKAGE))))
                .readOnly(STATUS, inputs -> {
                    PackageStatus status = provider.status(inputs.string(PACKAGE));
                    return ActionResult.of(status.installed() ? status.name() + " " + status.version() + " is installed"
                            : status.name() + " is not installed", status.toData());
                }));
    }

    /**
     * A dry run's answer: the predicted state in the outputs a real run reports, e.g. "would update mywebapp
     * 4.2.6-2.el5 -> 4.2.6-3.el5"; {@code changed} means "would change" (the node reports it as {@code would_change}).
     */
    private static ActionResult planResult(String verb, PackageProvider.PackageChange plan) {
        PackageStatus before = plan.before();
        PackageStatus after = plan.after();
        Map<String, Object> data = new LinkedHashMap<>(after.toData());
        data.put(PREVIOUS_VERSION, before.version());
        String message;
        if (!plan.changed()) {
            message = after.installed() ? after.name() + " " + after.version() + " already installed, nothing to do"
                    : after.name() + " is not installed, nothing to do";
        } else if (!after.installed()) {
            message = "would " + verb + " " + after.name() + " " + before.version();
        } else if (before.installed()) {
            message = "would " + verb + " " + after.name() + " " + before.version() + " -> " + after.version();
        } else {
            message = "would " + verb + " " + after.name() + " " + after.version();
        }
        return ActionResult.changed(plan.changed(), message, data);
    }

    private static ActionResult changeResult(String verb, PackageProvider.PackageChange change) throws ActionFailedException {
        PackageStatus after = change.after();
        Map<String, Object> data = new LinkedHashMap<>(after.toData());
        data.put(PREVIOUS_VERSION, change.before().version());
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

    public PackageProvider packages() {
        return provided();
    }

    /** The providers this plugin can use. */
    static final Providers<PackageProvider> PROVIDERS = Providers.<PackageProvider>of(CATALOG.name())
            .with("sandbox", SandboxPackages::new)
            .detected("apt", settings -> AptPackages.available(), AptPackages::new)
            .detected("dnf", settings -> DnfPackages.available("dnf"), settings -> new DnfPackages(settings, "dnf"))
            .detected("yum", settings -> DnfPackages.available("yum"), settings -> new DnfPackages(settings, "yum"));

    /** Creates the plugin with the provider named by {@code agents.package.provider}. */
    public static final class Factory extends ProviderPluginFactory<PackageProvider> {
        public Factory() {
            super(CATALOG.name(), PROVIDERS, PackageAgent::new);
        }
    }
}
