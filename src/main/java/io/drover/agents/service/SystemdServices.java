package io.drover.agents.service;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Services managed by systemd, through {@code systemctl}. A name without a unit type gets {@code .service}
 * ({@code httpd} is {@code httpd.service}, {@code getty@tty1.service} stays). Settings: {@code command_prefix}
 * (e.g. {@code [nsenter, -t, PID, -a]} for a container) and {@code command_timeout} (seconds, default 120).
 */
final class SystemdServices implements ServiceProvider {
    static final String NAME = "systemd";
    /** systemd's own test for "this host was booted with systemd" (sd_booted). */
    static final String BOOTED_MARKER = "/run/systemd/system";

    private static final Set<String> UNIT_TYPES = Set.of("service", "socket", "target", "timer", "path", "mount",
            "automount", "swap", "slice", "scope", "device");
    private static final String PROPERTIES = "ActiveState,SubState,MainPID,LoadState";

    private final CommandRunner runner;

    public SystemdServices(Settings settings) {
        this(CommandRunner.fromSettings(settings, 120));
    }

    SystemdServices(CommandRunner runner) {
        this.runner = runner;
    }

    /** Detection for {@code provider: auto}: the target host (behind the prefix, if any) was booted by systemd. */
    static boolean detect(Settings settings) {
        return HostProbe.isDirectory(CommandRunner.fromSettings(settings, 120), BOOTED_MARKER);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The unit name systemctl is given for a service name. */
    static String unit(String service) throws ActionFailedException {
        ServiceNames.require(service);
        int dot = service.lastIndexOf('.');
        if (dot > 0 && UNIT_TYPES.contains(service.substring(dot + 1))) {
            return service;
        }
        return service + ".service";
    }

    @Override
    public ServiceStatus status(String service) throws ActionFailedException {
        return show(service).status(service);
    }

    @Override
    public ServiceChange start(String service) throws ActionFailedException {
        Unit before = show(service);
        if (before.running()) {
            return new ServiceChange(before.status(service), before.status(service), false);
        }
        systemctl("start", service);
        return new ServiceChange(before.status(service), requireRunning(service, "start"), true);
    }

    @Override
    public ServiceChange stop(String service) throws ActionFailedException {
        Unit before = show(service);
        if (before.settled()) {
            return new ServiceChange(before.status(service), before.status(service), false);
        }
        systemctl("stop", service);
        Unit after = show(service);
        if (after.running()) {
            throw new ActionFailedException("`systemctl stop " + before.unit() + "` succeeded but the unit is still "
                    + after.state() + "; see `journalctl -u " + before.unit() + "`");
        }
        return new ServiceChange(before.status(service), after.status(service), true);
    }

    @Override
    public ServiceChange restart(String service) throws ActionFailedException {
        Unit before = show(service);
        systemctl("restart", service);
        return new ServiceChange(before.status(service), requireRunning(service, "restart"), true);
    }

    /** Asks {@code systemctl show}, which changes nothing; a masked unit would not start. */
    @Override
    public ServiceChange planStart(String service) throws ActionFailedException {
        Unit before = show(service);
        if (!before.running()) {
            requireStartable(before);
        }
        return ServicePlan.start(before.status(service));
    }

    @Override
    public ServiceChange planStop(String service) throws ActionFailedException {
        Unit before = show(service);
        // stop has nothing to do only for a settled unit, as stop() decides; one on its way somewhere gets stopped
        return before.settled() ? new ServiceChange(before.status(service), before.status(service), false)
                : new ServiceChange(before.status(service), new ServiceStatus(service, false, null), true);
    }

    @Override
    public ServiceChange planRestart(String service) throws ActionFailedException {
        Unit before = show(service);
        requireStartable(before);
        return ServicePlan.restart(before.status(service));
    }

    private static void requireStartable(Unit unit) throws ActionFailedException {
        if (unit.loadState().equals("masked")) {
            throw new ActionFailedException("would fail: " + unit.unit() + " is masked, so systemctl would refuse to start it; "
                    + "unmask it first (systemctl unmask " + unit.unit() + ")");
        }
    }

    private void systemctl(String verb, String service) throws ActionFailedException {
        runner.check(Command.of("systemctl", verb, unit(service)));
    }

    private ServiceStatus requireRunning(String service, String verb) throws ActionFailedException {
        Unit after = show(service);
        if (!after.running()) {
            throw new ActionFailedException("`systemctl " + verb + " " + after.unit() + "` succeeded but the unit is "
                    + after.state() + "; see `journalctl -u " + after.unit() + "`");
        }
        return after.status(service);
    }

    private Unit show(String service) throws ActionFailedException {
        String unit = unit(service);
        CommandResult result = runner.check(Command.of("systemctl", "show", "-p", PROPERTIES, unit));
        Unit parsed = Unit.parse(unit, result.stdout());
        if (parsed.notFound()) {
            throw new ActionFailedException("unit " + unit + " not found; check the service name (systemctl list-unit-files"
                    + " lists the units of this host)");
        }
        return parsed;
    }

    /** What {@code systemctl show} says about one unit. */
    record Unit(String unit, String loadState, String activeState, String subState, long mainPid) {
        static Unit parse(String unit, String output) throws ActionFailedException {
            Map<String, String> properties = new HashMap<>();
            for (String line : output.split("\n")) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    properties.put(line.substring(0, equals), line.substring(equals + 1).strip());
                }
            }
            String load = properties.get("LoadState");
            String active = properties.get("ActiveState");
            String pid = properties.getOrDefault("MainPID", "0");
            if (load == null || active == null || !pid.matches("\\d{1,10}")) {
                throw new ActionFailedException("cannot read the state of " + unit + " from `systemctl show`: '"
                        + output.strip() + "'");
            }
            return new Unit(unit, load, active, properties.getOrDefault("SubState", ""), Long.parseLong(pid));
        }

        /** Not found, and not running either: a unit whose file was removed while it ran is still there. */
        boolean notFound() {
            return loadState.equals("not-found") && settled();
        }

        boolean running() {
            return activeState.equals("active") || activeState.equals("reloading");
        }

        /** Neither running nor on its way somewhere: stop has nothing to do. */
        boolean settled() {
            return activeState.equals("inactive") || activeState.equals("failed");
        }

        String state() {
            return activeState + (subState.isEmpty() ? "" : " (" + subState + ")");
        }

        ServiceStatus status(String service) {
            return new ServiceStatus(service, running(), running() && mainPid > 0 ? mainPid : null);
        }
    }
}
