package io.drover.agents.pkg;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.command.Programs;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian packages through {@code apt-get}, {@code apt-cache} and {@code dpkg-query}. Never prompts: {@code -y},
 * {@code DEBIAN_FRONTEND=noninteractive} and dpkg keeping changed configuration files.
 *
 * <p>Settings, all optional: {@code apt_config} (an {@code APT_CONFIG} file, e.g. one that aims apt at a private
 * root), {@code dpkg_root} ({@code dpkg-query --root}), {@code refresh} ({@code apt-get update} before an install
 * or update needs the repositories; default true), {@code lock_timeout} (seconds to wait for another apt or
 * dpkg to finish; default 60), {@code command_prefix}, {@code command_timeout} (default 600 s).
 */
final class AptPackages implements PackageProvider {
    static final long DEFAULT_TIMEOUT_SECONDS = 600;

    private final CommandRunner runner;
    private final ProviderPath aptConfig;
    private final ProviderPath dpkgRoot;
    private final boolean refresh;
    private final long lockTimeout;

    public AptPackages(Settings settings) {
        this(settings, CommandRunner.fromSettings(settings, DEFAULT_TIMEOUT_SECONDS));
    }

    /** With another runner, for tests; {@code command_prefix} and {@code command_timeout} are the runner's. */
    AptPackages(Settings settings, CommandRunner runner) {
        this.runner = runner;
        boolean local = runner.prefix().isEmpty();
        this.aptConfig = ProviderPath.read(settings, "apt_config", false, local);
        this.dpkgRoot = ProviderPath.read(settings, "dpkg_root", true, local);
        this.refresh = settings.bool("refresh", true);
        this.lockTimeout = settings.integer("lock_timeout", 60);
        if (lockTimeout < 0 || lockTimeout > 3600) {
            throw settings.invalid("lock_timeout", "must be 0 to 3600 seconds");
        }
    }

    /** apt's tools are on this host. */
    static boolean available() {
        return Programs.exists("apt-get") && Programs.exists("apt-cache") && Programs.exists("dpkg-query");
    }

    @Override
    public String name() {
        return "apt";
    }

    @Override
    public synchronized PackageStatus status(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        return query(pkg).toStatus(pkg);
    }

    @Override
    public synchronized PackageChange install(String pkg, String version) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageArgs.version(version);
        PackageStatus before = query(pkg).toStatus(pkg);
        if (before.installed() && (version == null || sameVersion(version, before.version()))) {
            return new PackageChange(before, before);
        }
        refreshLists();
        // Always NAME=VERSION, the candidate looked up first: a bare NAME that apt does not know is read as a
        // regular expression, and a trailing - or + as "remove" or "install" ("apt-get install mywebapp-" removes
        // mywebapp). With a version, apt only ever matches the exact name.
        String target = version != null ? version : candidate(pkg);
        List<String> args = new ArrayList<>(List.of("install"));
        if (version != null) {
            args.add("--allow-downgrades"); // an exact older version is what was asked for
        }
        args.addAll(List.of("--", pkg + "=" + target));
        CommandResult result = runner.run(aptGet(args));
        if (!result.succeeded()) {
            throw new ActionFailedException("cannot install " + pkg + " " + target + ": " + result.describe()
                    + availableVersions(pkg, target), Map.of("exitcode", result.exitCode()));
        }
        PackageStatus after = query(pkg).toStatus(pkg);
        if (!after.installed() || !sameVersion(target, after.version())) {
            throw new ActionFailedException("apt-get install " + pkg + "=" + target + " finished, but " + describe(after)
                    + "; see the apt and dpkg logs (term.log, dpkg.log)");
        }
        return new PackageChange(before, after);
    }

    @Override
    public synchronized PackageChange update(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        DpkgRecord record = query(pkg);
        PackageStatus before = record.toStatus(pkg);
        if (!record.present()) {
            throw new ActionFailedException(pkg + " is not installed, so not upgraded; install it first");
        }
        refreshLists();
        // dpkg knows this exact name, so apt matches it as a name (never as a pattern or with a modifier).
        runner.check(aptGet(List.of("install", "--only-upgrade", "--", pkg)));
        return new PackageChange(before, query(pkg).toStatus(pkg));
    }

    @Override
    public synchronized PackageChange uninstall(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        DpkgRecord record = query(pkg);
        PackageStatus before = record.toStatus(pkg);
        if (!record.present()) {
            return new PackageChange(before, before);
        }
        runner.check(aptGet(List.of("remove", "--", pkg)));
        DpkgRecord after = query(pkg);
        if (after.present()) {
            throw new ActionFailedException("apt-get remove " + pkg + " finished, but " + describe(after.toStatus(pkg))
                    + "; see the apt and dpkg logs (term.log, dpkg.log)");
        }
        return new PackageChange(before, after.toStatus(pkg));
    }

    /**
     * Asks {@code apt-cache policy} for the candidate (when no version is given) and {@code apt-get -s install} what it
     * would do. Nothing is refreshed: the package lists are taken as they are, where a real install would first run
     * {@code apt-get update}.
     */
    @Override
    public synchronized PackageChange planInstall(String pkg, String version) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageArgs.version(version);
        PackageStatus before = query(pkg).toStatus(pkg);
        if (before.installed() && (version == null || sameVersion(version, before.version()))) {
            return new PackageChange(before, before);
        }
        String target;
        try {
            target = version != null ? version : candidate(pkg);
        } catch (ActionFailedException e) {
            throw wouldFail(e.getMessage());
        }
        List<String> args = new ArrayList<>(List.of("-s", "install"));
        if (version != null) {
            args.add("--allow-downgrades");
        }
        args.addAll(List.of("--", pkg + "=" + target));
        return simulate(pkg, before, args, "install " + pkg + " " + target);
    }

    /** {@code apt-get -s install --only-upgrade}: what an update would install, without refreshing the lists. */
    @Override
    public synchronized PackageChange planUpdate(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        DpkgRecord record = query(pkg);
        if (!record.present()) {
            throw wouldFail(pkg + " is not installed, so not upgraded; install it first");
        }
        return simulate(pkg, record.toStatus(pkg), List.of("-s", "install", "--only-upgrade", "--", pkg), "upgrade " + pkg);
    }

    /** {@code apt-get -s remove}. */
    @Override
    public synchronized PackageChange planUninstall(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        DpkgRecord record = query(pkg);
        PackageStatus before = record.toStatus(pkg);
        if (!record.present()) {
            return new PackageChange(before, before);
        }
        return simulate(pkg, before, List.of("-s", "remove", "--", pkg), "remove " + pkg);
    }

    /** Runs an {@code apt-get -s} simulation and reads what it says it would do to {@code pkg}. */
    private PackageChange simulate(String pkg, PackageStatus before, List<String> args, String what) throws ActionFailedException {
        CommandResult result = runner.run(aptGet(args));
        if (!result.succeeded()) {
            throw wouldFail("cannot " + what + ": " + result.describe());
        }
        PackageStatus after = AptSimulation.after(pkg, before, result.stdout());
        return new PackageChange(before, after);
    }

    private ActionFailedException wouldFail(String why) {
        return new ActionFailedException("would fail: " + why + (refresh ? " (judged from the package lists as they are: a dry run "
                + "does not run apt-get update, a real run does)" : ""));
    }

    private DpkgRecord query(String pkg) throws ActionFailedException {
        List<String> args = new ArrayList<>(List.of("dpkg-query"));
        if (dpkgRoot != null) {
            dpkgRoot.verify();
            args.add("--root=" + dpkgRoot.path());
        }
        args.addAll(List.of("-W", "-f", DpkgRecord.FORMAT, "--", pkg));
        return DpkgRecord.parse(pkg, runner.run(Command.of(args)));
    }

    /** {@code apt-get update}, when configured: apt-get update fetches only what changed, so it is cheap to repeat. */
    private void refreshLists() throws ActionFailedException {
        if (!refresh) {
            return;
        }
        CommandResult result = runner.run(apt("apt-get", List.of("update")));
        if (!result.succeeded()) {
            throw new ActionFailedException("apt-get update failed, so the package lists may be stale (fix the sources, or set "
                    + "refresh: false to use the lists as they are): " + result.describe(), Map.of("exitcode", result.exitCode()));
        }
    }

    private String candidate(String pkg) throws ActionFailedException {
        AptPolicy policy = policy(pkg);
        if (policy == null) {
            throw new ActionFailedException("E: Unable to locate package " + pkg + ": no repository offers a package of that name"
                    + (refresh ? "" : " (refresh is off: the package lists may be stale)"));
        }
        if (policy.candidate() == null) {
            throw new ActionFailedException(pkg + " has no installation candidate: it is a virtual package, or no repository "
                    + "offers it for this architecture; name a real package, or a version");
        }
        return policy.candidate();
    }

    private AptPolicy policy(String pkg) throws ActionFailedException {
        return AptPolicy.parse(pkg, runner.check(apt("apt-cache", List.of("policy", "--", pkg))).stdout());
    }

    /** For a failed install: the versions the repositories do offer, so the message says what to ask for. */
    private String availableVersions(String pkg, String target) {
        try {
            AptPolicy policy = policy(pkg);
            if (policy == null || policy.versions().contains(target)) {
                return "";
            }
            return policy.versions().isEmpty() ? " (no version available)"
                    : " (available: " + String.join(", ", policy.versions()) + ")";
        } catch (ActionFailedException e) {
            return ""; // the install failure is the news; this was only a hint
        }
    }

    private Command aptGet(List<String> args) throws ActionFailedException {
        List<String> all = new ArrayList<>(List.of("-y",
                // keep a locally changed configuration file, take the new one where nothing was changed: no prompt
                "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
                // wait for another apt or dpkg (unattended-upgrades) instead of failing at once
                "-o", "DPkg::Lock::Timeout=" + lockTimeout));
        all.addAll(args);
        return apt("apt-get", all);
    }

    private Command apt(String program, List<String> args) throws ActionFailedException {
        List<String> all = new ArrayList<>(List.of(program, "-q",
                // names are names: never regular expressions or globs when no package has the exact name
                "-o", "APT::Cmd::Pattern-Only=true"));
        all.addAll(args);
        Command command = Command.of(all);
        if (aptConfig != null) {
            aptConfig.verify();
            command = command.withEnvironment("APT_CONFIG", aptConfig.path());
        }
        return command;
    }

    private static boolean sameVersion(String requested, String installed) {
        return installed != null && DebianVersion.ORDER.compare(requested, installed) == 0;
    }

    private static String describe(PackageStatus status) {
        if (status.installed()) {
            return status.name() + " " + status.version() + " is installed";
        }
        return status.version() == null ? status.name() + " is not installed"
                : status.name() + " " + status.version() + " is only partly installed";
    }
}
