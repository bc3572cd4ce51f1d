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

    /**
     * Asks {@code PROGRAM repoquery} for the version an install would pick, and {@code PROGRAM --assumeno install} whether
     * the transaction resolves; neither touches the rpm database (dnf may fetch repository metadata into its cache).
     */
    @Override
    public synchronized PackageChange planInstall(String pkg, String version) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageArgs.version(version);
        PackageStatus before = query(pkg);
        if (before.installed() && (version == null || RpmRecord.matches(version, before.version()))) {
            return new PackageChange(before, before);
        }
        String spec = version == null ? pkg : pkg + "-" + version;
        PackageStatus after = repoquery(pkg, spec, false);
        if (after == null) {
            throw new ActionFailedException("would fail: no repository offers " + spec + " (" + program + " repoquery found no package "
                    + "named " + pkg + (version == null ? "" : " at version " + version) + ")");
        }
        resolves("install", spec);
        return new PackageChange(before, after);
    }

    /** {@code PROGRAM repoquery --upgrades}: the version an upgrade would install, if any. */
    @Override
    public synchronized PackageChange planUpdate(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageStatus before = query(pkg);
        if (!before.installed()) {
            throw new ActionFailedException("would fail: " + pkg + " is not installed, so not upgraded; install it first");
        }
        PackageStatus after = repoquery(pkg, pkg, true);
        if (after == null) {
            return new PackageChange(before, before);
        }
        resolves("upgrade", pkg);
        return new PackageChange(before, after);
    }

    /** {@code rpm -e --test}: whether the package could be removed, checked without removing it. */
    @Override
    public synchronized PackageChange planUninstall(String pkg) throws ActionFailedException {
        PackageArgs.name(pkg);
        PackageStatus before = query(pkg);
        if (!before.installed()) {
            return new PackageChange(before, before);
        }
        resolves("remove", pkg);
        return new PackageChange(before, PackageStatus.absent(pkg));
    }

    /**
     * The newest package named exactly {@code pkg} that {@code spec} finds in the repositories (with {@code upgrades}, only
     * one newer than the installed), or null.
     */
    private PackageStatus repoquery(String pkg, String spec, boolean upgrades) throws ActionFailedException {
        List<String> options = new ArrayList<>(List.of("--qf", "%{name} %{epoch} %{version}-%{release} %{arch}"));
        if (upgrades) {
            options.add("--upgrades");
        }
        CommandResult result = runner.run(command(List.of("-q"), "repoquery", options, spec));
        if (!result.succeeded()) {
            throw new ActionFailedException("cannot simulate: `" + program + " repoquery` failed: " + result.describe(),
                    Map.of("exitcode", result.exitCode()));
        }
        PackageStatus newest = null;
        for (String line : result.stdout().split("\n")) {
            String[] fields = line.strip().split(" ");
            if (fields.length != 4 || !fields[0].equals(pkg)) {
                continue; // another package's name-version, or a capability
            }
            String evr = fields[1].equals("0") || fields[1].equals("(none)") ? fields[2] : fields[1] + ":" + fields[2];
            if (newest == null || DebianVersion.ORDER.compare(evr, newest.version()) > 0) {
                newest = new PackageStatus(pkg, true, evr, fields[3]);
            }
        }
        return newest;
    }

    /**
     * {@code PROGRAM --assumeno VERB SPEC}: dnf resolves the transaction, prints it and stops ("Operation aborted.", exit 1),
     * so anything else, such as missing dependencies, means the real run would fail; for a removal {@code rpm -e --test}.
     */
    private void resolves(String verb, String spec) throws ActionFailedException {
        if (verb.equals("remove")) {
            List<String> args = new ArrayList<>(List.of("rpm"));
            if (installroot != null) {
                installroot.verify();
                args.addAll(List.of("--root", installroot.path()));
            }
            if (rpmDbpath != null) {
                args.addAll(List.of("--dbpath", rpmDbpath));
            }
            args.addAll(List.of("-e", "--test", "--", spec));
            CommandResult result = runner.run(Command.of(args));
            if (!result.succeeded()) {
                throw new ActionFailedException("would fail: cannot remove " + spec + ": " + result.describe(), Map.of("exitcode", result.exitCode()));
            }
            return;
        }
        CommandResult result = runner.run(command(List.of("--assumeno"), verb, List.of(), spec));
        String output = result.stdout() + result.stderr();
        if (result.succeeded() || (result.exitCode() == 1 && output.contains("Operation aborted") && !output.contains("Error:"))) {
            return;
        }
        throw new ActionFailedException("would fail: `" + program + " " + verb + " " + spec + "` does not resolve: " + result.describe(),
                Map.of("exitcode", result.exitCode()));
    }

    /** {@code PROGRAM FLAGS [config, installroot, reposdir, releasever] SUBCOMMAND OPTIONS -- SPEC}, never refreshing. */
    private Command command(List<String> flags, String subcommand, List<String> options, String spec) throws ActionFailedException {
        return command(flags, List.of(), subcommand, options, spec);
    }

    /** The same, with {@code late} flags after the repository settings (where {@code --refresh} goes). */
    private Command command(List<String> flags, List<String> late, String subcommand, List<String> options, String spec)
            throws ActionFailedException {
        List<String> args = new ArrayList<>(List.of(program));
        args.addAll(flags);
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
        args.addAll(late);
        args.add(subcommand);
        args.addAll(options);
        args.addAll(List.of("--", spec));
        return Command.of(args);
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
        // metadata otherwise counts as fresh for up to 48 h: a new release would go unseen
        List<String> refreshing = needsRepositories && refresh ? List.of("--refresh") : List.of();
        return command(List.of("-y", "-q"), refreshing, subcommand, List.of(), spec);
    }
}
