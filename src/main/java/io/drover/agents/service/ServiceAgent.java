package io.drover.agents.service;

import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Actions;
import io.drover.agent.plugin.ProviderPlugin;
import io.drover.agent.plugin.ProviderPluginFactory;
import io.drover.agent.plugin.Providers;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.drover.catalog.ServiceCatalog.CATALOG;
import static io.drover.catalog.ServiceCatalog.RESTART;
import static io.drover.catalog.ServiceCatalog.SERVICE;
import static io.drover.catalog.ServiceCatalog.START;
import static io.drover.catalog.ServiceCatalog.STATUS;
import static io.drover.catalog.ServiceCatalog.STOP;

/** The {@code service} agent: start, stop, restart, status. Start and stop are idempotent. */
public final class ServiceAgent extends ProviderPlugin<ServiceProvider> {
    public ServiceAgent(ServiceProvider provider) {
        super(provider, Actions.of(CATALOG)
                .on(START, inputs -> result("started", provider.start(inputs.string(SERVICE))),
                        inputs -> plan("start", provider.planStart(inputs.string(SERVICE))))
                .on(STOP, inputs -> result("stopped", provider.stop(inputs.string(SERVICE))),
                        inputs -> plan("stop", provider.planStop(inputs.string(SERVICE))))
                .on(RESTART, inputs -> result("restarted", provider.restart(inputs.string(SERVICE))),
                        inputs -> plan("restart", provider.planRestart(inputs.string(SERVICE))))
                .readOnly(STATUS, inputs -> {
                    ServiceStatus status = provider.status(inputs.string(SERVICE));
                    return ActionResult.of(status.name() + " is " + status.state(), status.toData());
                }));
    }

    private static ActionResult result(String verb, ServiceProvider.ServiceChange change) {
        ServiceStatus after = change.after();
        Map<String, Object> data = new LinkedHashMap<>(after.toData());
        String message = change.changed() ? verb + " " + after.name() : after.name() + " was already " + after.state();
        return ActionResult.changed(change.changed(), message, data);
    }

    /** A dry run's answer, e.g. "would restart httpd"; {@code changed} means "would change". */
    private static ActionResult plan(String verb, ServiceProvider.ServiceChange change) {
        ServiceStatus after = change.after();
        String message = change.changed() ? "would " + verb + " " + after.name() : after.name() + " is already " + after.state()
                + ", nothing to do";
        return ActionResult.changed(change.changed(), message, new LinkedHashMap<>(after.toData()));
    }

    public ServiceProvider services() {
        return provided();
    }

    /**
     * The providers this plugin can use. {@code auto} picks systemd when the target host was booted with it,
     * else SysV when its init script directory exists; with a {@code command_prefix} both are looked for
     * through the prefix, on the host the commands will act on.
     */
    static final Providers<ServiceProvider> PROVIDERS = Providers.<ServiceProvider>of(CATALOG.name())
            .with("sandbox", SandboxServices::new)
            .detected(SystemdServices.NAME, SystemdServices::detect, SystemdServices::new)
            .detected(SysvServices.NAME, SysvServices::detect, SysvServices::new);

    /** Creates the plugin with the provider named by {@code agents.service.provider}. */
    public static final class Factory extends ProviderPluginFactory<ServiceProvider> {
        public Factory() {
            super(CATALOG.name(), PROVIDERS, ServiceAgent::new);
        }
    }
}
