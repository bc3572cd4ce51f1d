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
 * RPM packages through {@code dnf} (or {@code yum}, which takes the same commands) and {@code rpm -q}. Versions
 * are {@code [epoch:]version[-release]} ({@code 4.2.6-3.el5}); a version without release or epoch matches any.
 *
 * <p>Settings, all optional: {@code program} (default: the provider's name, {@code dnf} or {@code yum}),
 * {@code config} ({@code -c FILE}), {@code installroot} ({@code --installroot}, and {@code rpm --root}),
 * {@code reposdir} ({@code --setopt=reposdir=DIR}), {@code releasever} ({@code --releasever}, for an install root
 * without a release package), {@code rpm_dbpath} ({@code rpm --dbpath}), {@code refresh} ({@code --refresh}:
 * fresh metadata for every install or update; default true), {@code command_prefix}, {@code command_timeout}
 * (default 600 s).
 */
final class DnfPackages implements PackageProvider {
    private final String name;
    private final CommandRunner runner;
    private final String program;
    private final ProviderPath config;
    private final ProviderPath installroot;
    private final ProviderPath reposdir;
    private final String releasever;
    private final String rpmDbpath;
    private final boolean refresh;

    /** @param name the provider's name, {@code dnf} or {@code yum}, and the default program */
    public DnfPackages(Settings settings, String name) {
        this(settings, name, CommandRunner.fromSettings(settings, AptPackages.DEFAULT_TIMEOUT_SECONDS));
    }

    /** With another runner, for tests; {@code command_prefix} and {@code command_timeout} are the runner's. */
    DnfPackages(Settings settings, String name, CommandRunner runner) {
        this.name = name;
        this.runner = runner;
        boolean local = runner.prefix().isEmpty();
        this.program = settings.string("program", name);
        if (!program.matches("/?[A-Za-z0-9][A-Za-z0-9._/-]*")) {
            throw settings.invalid("program", "must be a program name or absolute path such as dnf, yum or /usr/bin/dnf-3, got '"
                    + program + "'");
        }
        this.config = ProviderPath.read(settings, "config", false, local);
        this.installroot = ProviderPath.read(settings, "installroot", true, local);
        this.reposdir = ProviderPath.read(settings, "reposdir", true, local);
        this.releasever = settings.string("releasever", null);
        if (releasever != null && !releasever.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw settings.invalid("releasever", "must be a release such as 9 or 9.4, got '" + releasever + "'");
        }
        // Relative to the install root, like rpm's own --dbpath; unset, rpm uses its %_dbpath, as dnf does.
        this.rpmDbpath = settings.string("rpm_dbpath", null);
        if (rpmDbpath != null && !rpmDbpath.startsWith("/")) {
            throw settings.invalid("rpm_dbpath", "must be an absolute path such as /var/lib/rpm, got '" + rpmDbpath + "'");
        }
        this.refresh = settings.bool("refresh", true);
    }

    /** {@code program} and rpm are on this host. */
    static boolean available(String program) {
        return Programs.exists(program) && Programs.exists("rpm");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized PackageStatus status(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        return query(pkg);
    }

    @Override
    public synchronized PackageChange install(String pkg, String version) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageArgs.version(version);
        PackageStatus before = query(pkg);
        if (before.installed() && (version == null || RpmRecord.matches(version, before.version()))) {
            return new PackageChange(before, before);
        }
        // NAME-[EPOCH:]VERSION[-RELEASE] is dnf's own spelling; install also downgrades to an older exact version.
        String spec = version == null ? pkg : pkg + "-" + version;
        Command command = dnf(true, "install", spec);
        CommandResult result = runner.run(command);
        if (!result.succeeded()) {
            throw new ActionFailedException("cannot install " + spec + ": " + result.describe(), Map.of("exitcode", result.exitCode()));
        }
        PackageStatus after = query(pkg);
        if (!after.installed()) {
            // dnf reads a name it does not know as name-version, or as a capability another package provides
            throw new ActionFailedException("`" + command.display() + "` succeeded, but no package named " + pkg
                    + " is installed: " + program + " took '" + spec + "' for another package's name and version or for a "
                    + "capability (and may have installed that); ask for the package by its own name");
        }
        if (version != null && !RpmRecord.matches(version, after.version())) {
            throw new ActionFailedException("`" + command.display() + "` succeeded, but " + pkg + " " + after.version()
                    + " is installed, not " + version + "; see " + program + "'s log (dnf.log)");
        }
        return new PackageChange(before, after);
    }

    @Override
    public synchronized PackageChange update(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageStatus before = query(pkg);
        if (!before.installed()) {
            throw new ActionFailedException(pkg + " is not installed, so not upgraded; install it first");
        }
        runner.check(dnf(true, "upgrade", pkg));
        return new PackageChange(before, query(pkg));
    }

    @Override
    public synchronized PackageChange uninstall(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageStatus before = query(pkg);
        if (!before.installed()) {
            return new PackageChange(before, before);
        }
        runner.check(dnf(false, "remove", pkg));
        PackageStatus after = query(pkg);
        if (after.installed()) {
            throw new ActionFailedException(program + " remove " + pkg + " finished, but " + pkg + " " + after.version()
                    + " is still installed; see " + program + "'s log (dnf.log)");
        }
        return new PackageChange(before, after);
    }

    /** The installed package named exactly {@code pkg}. */
    private PackageStatus query(String pkg) throws ActionFailedException {
        List<String> args = new ArrayList<>(List.of("rpm", "-q"));
        if (installroot != null) {
            installroot.verify();
            args.addAll(List.of("--root", installroot.path()));
        }
        if (rpmDbpath != null) {
            args.addAll(List.of("--dbpath", rpmDbpath));
        }
        args.addAll(List.of("--qf", RpmRecord.FORMAT, "--", pkg));
        RpmRecord record = RpmRecord.parse(pkg, runner.run(Command.of(args)));
        return record == null ? PackageStatus.absent(pkg) : record.toStatus(pkg);
    }

    private Command dnf(boolean needsRepositories, String subcommand, String spec) throws ActionFailedException {
        List<String> args = new ArrayList<>(List.of(program, "-y", "-q"));
        if (config != null) {
            config.verify();
            args.addAll(List.of("-c", config.path()));
        }
        if (installroot != null) {
            installroot.verify();
            args.add("--installroot=" + installroot.path());
        }
        if (reposdir != null) {
            reposdir.verify();
            args.add("--setopt=reposdir=" + reposdir.path());
        }
        if (releasever != null) {
            args.add("--releasever=" + releasever);
        }
        if (needsRepositories && refresh) {
            args.add("--refresh"); // metadata otherwise counts as fresh for up to 48 h: a new release would go unseen
        }
        args.addAll(List.of(subcommand, "--", spec));
        return Command.of(args);
    }
}
