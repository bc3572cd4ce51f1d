package io.drover.agents.service;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SysV init scripts, run directly as {@code INIT_DIR/NAME start|stop|restart|status}. Whether a service runs
 * comes from the exit code of {@code status} (LSB: 0 running; 1, 2 and 3 not running; anything else is a
 * failure), its pid from its pid file. Settings: {@code init_dir} (default {@code /etc/init.d}),
 * {@code pidfiles} (service: path; default {@code /run/NAME.pid}), {@code command_prefix} and
 * {@code command_timeout} (seconds, default 120).
 */
final class SysvServices implements ServiceProvider {
    static final String NAME = "sysv";
    static final String DEFAULT_INIT_DIR = "/etc/init.d";

    private final CommandRunner runner;
    private final String initDir;
    private final Map<String, String> pidfiles;

    public SysvServices(Settings settings) {
        this(CommandRunner.fromSettings(settings, 120), initDir(settings), pidfiles(settings));
    }

    SysvServices(CommandRunner runner, String initDir, Map<String, String> pidfiles) {
        this.runner = runner;
        this.initDir = initDir;
        this.pidfiles = Map.copyOf(pidfiles);
    }

    /** Detection for {@code provider: auto}: the init script directory exists on the target host. */
    static boolean detect(Settings settings) {
        return HostProbe.isDirectory(CommandRunner.fromSettings(settings, 120), initDir(settings));
    }

    private static String initDir(Settings settings) {
        String dir = settings.string("init_dir", DEFAULT_INIT_DIR);
        if (!dir.startsWith("/")) {
            throw settings.invalid("init_dir", "must be an absolute path, e.g. " + DEFAULT_INIT_DIR + ", got " + dir);
        }
        return dir.length() > 1 && dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    }

    private static Map<String, String> pidfiles(Settings settings) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : settings.map("pidfiles").entrySet()) {
            String path = String.valueOf(entry.getValue());
            try {
                ServiceNames.require(entry.getKey());
            } catch (ActionFailedException e) {
                throw settings.invalid("pidfiles", e.getMessage());
            }
            if (!(entry.getValue() instanceof String) || !path.startsWith("/")) {
                throw settings.invalid("pidfiles", entry.getKey() + ": must be an absolute path, e.g. /run/"
                        + entry.getKey() + ".pid, got " + entry.getValue());
            }
            out.put(entry.getKey(), path);
        }
        return out;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ServiceStatus status(String service) throws ActionFailedException {
        CommandResult result = script(service, "status");
        return switch (result.timedOut() ? -1 : result.exitCode()) {
            case 0 -> new ServiceStatus(service, true, pid(service));
            // LSB: 1 "dead, pid file exists", 2 "dead, lock file exists", 3 "not running": none of them runs.
            case 1, 2, 3 -> new ServiceStatus(service, false, null);
            default -> throw new ActionFailedException("cannot tell whether " + service + " runs: " + result.describe()
                    + " (LSB init scripts answer status with 0 when running and 3 when stopped)");
        };
    }

    @Override
    public ServiceChange start(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        if (before.running()) {
            return new ServiceChange(before, before, false);
        }
        run(service, "start");
        return new ServiceChange(before, requireState(service, "start", true), true);
    }

    @Override
    public ServiceChange stop(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        if (!before.running()) {
            return new ServiceChange(before, before, false);
        }
        run(service, "stop");
        return new ServiceChange(before, requireState(service, "stop", false), true);
    }

    @Override
    public ServiceChange restart(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        run(service, "restart");
        return new ServiceChange(before, requireState(service, "restart", true), true);
    }

    /** Asks the init script's {@code status}, which changes nothing. */
    @Override
    public ServiceChange planStart(String service) throws ActionFailedException {
        return ServicePlan.start(status(service));
    }

    @Override
    public ServiceChange planStop(String service) throws ActionFailedException {
        return ServicePlan.stop(status(service));
    }

    @Override
    public ServiceChange planRestart(String service) throws ActionFailedException {
        return ServicePlan.restart(status(service));
    }

    private String scriptPath(String service) throws ActionFailedException {
        return (initDir.equals("/") ? "" : initDir) + "/" + ServiceNames.require(service);
    }

    private void run(String service, String verb) throws ActionFailedException {
        CommandResult result = script(service, verb);
        if (!result.succeeded()) {
            throw new ActionFailedException(result.describe(), Map.of("exitcode", result.exitCode()));
        }
    }

    /** Runs the init script; a script that is not there is a clear "not found" rather than a failed command. */
    private CommandResult script(String service, String verb) throws ActionFailedException {
        String path = scriptPath(service);
        if (runner.prefix().isEmpty() && !Files.isExecutable(Path.of(path))) {
            throw notFound(service, path, "");
        }
        CommandResult result = runner.run(Command.of(path, verb));
        // 126/127: what nsenter, chroot and env answer when the program is missing or cannot be executed.
        if (!runner.prefix().isEmpty() && !result.timedOut() && (result.exitCode() == 126 || result.exitCode() == 127)) {
            throw notFound(service, path, " (" + result.describe() + ")");
        }
        return result;
    }

    private ActionFailedException notFound(String service, String path, String detail) {
        return new ActionFailedException("service " + service + " not found: no executable init script " + path + detail
                + "; check the service name, or set init_dir");
    }

    private ServiceStatus requireState(String service, String verb, boolean running) throws ActionFailedException {
        ServiceStatus after = status(service);
        if (after.running() != running) {
            throw new ActionFailedException("`" + scriptPath(service) + " " + verb + "` succeeded but `" + scriptPath(service)
                    + " status` says " + service + " is " + after.state());
        }
        return after;
    }

    /** The pid in the service's pid file, read on the target host; null when there is none or it is not a pid. */
    private Long pid(String service) throws ActionFailedException {
        String pidfile = pidfiles.getOrDefault(service, "/run/" + service + ".pid");
        CommandResult result = runner.run(Command.of("cat", pidfile));
        String text = result.stdout().strip();
        if (!result.succeeded() || !text.matches("[1-9]\\d{0,9}")) {
            return null;
        }
        return Long.parseLong(text);
    }
}
