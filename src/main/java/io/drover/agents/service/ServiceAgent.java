package io.drover.agents.service;

import io.drover.agent.plugin.Action;
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

/** The {@code service} agent: start, stop, restart, status. Start and stop are idempotent. */
public final class ServiceAgent implements AgentPlugin {
    static final Input SERVICE = Input.string("service").required().maxLength(128)
            .matching("[A-Za-z0-9][A-Za-z0-9_.@:-]*", "httpd")
            .describedAs("service (unit) name");

    private final ServiceProvider provider;
    private final List<Action> actions;

    public ServiceAgent(ServiceProvider provider) {
        this.provider = provider;
        this.actions = List.of(
                Action.named("start", "Start a service").input(SERVICE)
                        .output("changed", "false if it was already running").output("status", "running")
                        .handledBy(inputs -> result("started", provider.start(inputs.string("service")))),
                Action.named("stop", "Stop a service").input(SERVICE)
                        .output("changed", "false if it was already stopped").output("status", "stopped")
                        .handledBy(inputs -> result("stopped", provider.stop(inputs.string("service")))),
                Action.named("restart", "Restart a service, or start it if stopped").input(SERVICE)
                        .output("changed", "always true").output("status", "running").output("pid", "new main pid")
                        .handledBy(inputs -> result("restarted", provider.restart(inputs.string("service")))),
                Action.named("status", "Whether a service is running").input(SERVICE)
                        .output("status", "running or stopped").output("running", "true if running")
                        .output("pid", "main pid when known")
                        .handledBy(inputs -> {
                            ServiceStatus status = provider.status(inputs.string("service"));
                            return ActionResult.of(status.name() + " is " + status.state(), status.toData());
                        }));
    }

    private static ActionResult result(String verb, ServiceProvider.ServiceChange change) {
        ServiceStatus after = change.after();
        Map<String, Object> data = new LinkedHashMap<>(after.toData());
        String message = change.changed() ? verb + " " + after.name() : after.name() + " was already " + after.state();
        return ActionResult.changed(change.changed(), message, data);
    }

    @Override
    public String name() {
        return "service";
    }

    @Override
    public String description() {
        return "Start, stop, restart and inspect services";
    }

    @Override
    public List<Action> actions() {
        return actions;
    }

    @Override
    public String provider() {
        return provider.name();
    }

    public ServiceProvider services() {
        return provider;
    }

    /**
     * The providers this plugin can use. {@code auto} picks systemd when the target host was booted with it,
     * else SysV when its init script directory exists; with a {@code command_prefix} both are looked for
     * through the prefix, on the host the commands will act on.
     */
    static final Providers<ServiceProvider> PROVIDERS = Providers.<ServiceProvider>of("service")
            .with("sandbox", SandboxServices::new)
            .detected(SystemdServices.NAME, SystemdServices::detect, SystemdServices::new)
            .detected(SysvServices.NAME, SysvServices::detect, SysvServices::new);

    /** Creates the plugin with the provider named by {@code agents.service.provider}. */
    public static final class Factory implements PluginFactory {
        @Override
        public String name() {
            return "service";
        }

        @Override
        public AgentPlugin create(Settings settings, NodeContext node) {
            return new ServiceAgent(PROVIDERS.create(settings));
        }
    }
}
