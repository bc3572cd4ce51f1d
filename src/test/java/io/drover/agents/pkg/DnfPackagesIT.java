package io.drover.agents.pkg;

import io.drover.agent.command.Command;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Settings;
import io.drover.testing.RealTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dnf provider against the real dnf and rpm: two releases of {@code mywebapp} built with rpmbuild into a
 * createrepo_c repository, installed into a private {@code --installroot} with a private configuration and
 * repository directory (no network repositories), with the host's own package databases left alone.
 */
class DnfPackagesIT {
    private final ProcessCommandRunner shell = new ProcessCommandRunner(List.of(), Duration.ofSeconds(300), 1 << 20);

    @TempDir
    Path work;

    @Test
    void installUpdateDowngradeAndRemoveInAPrivateRoot() throws Exception {
        RealTools.requireRoot();
        RealTools.require("rpmbuild", "rpm");
        RealTools.require("createrepo_c", "createrepo-c");
        RealTools.require("dnf", "dnf");
        HostPackages host = HostPackages.snapshot(shell);

        Path repo = buildRepository();
        Path root = Files.createDirectories(work.resolve("root"));
        Path reposdir = Files.createDirectories(work.resolve("repos.d"));
        Files.writeString(reposdir.resolve("drover-test.repo"), """
                [drover-test]
                name=Drover test packages
                baseurl=file://%s
                enabled=1
                gpgcheck=0
                """.formatted(repo));
        // No plugins, no weak dependencies, nothing of the host's /etc/dnf/dnf.conf.
        Path config = Files.writeString(work.resolve("dnf.conf"), """
                [main]
                gpgcheck=0
                plugins=0
                install_weak_deps=0
                keepcache=0
                reposdir=%s
                """.formatted(reposdir));
        Settings settings = new Settings("agents.package", Map.of("provider", "dnf", "config", config.toString(),
                "installroot", root.toString(), "reposdir", reposdir.toString(), "releasever", "9"));
        PackageProvider dnf = PackageAgent.PROVIDERS.create(settings);
        settings.requireAllRead();
        Timings timings = new Timings("dnf");

        PackageProvider.PackageChange installed = timings.time("install 4.2.6-2.el5", () -> dnf.install("mywebapp", "4.2.6-2.el5"));
        assertTrue(installed.changed());
        assertEquals(PackageStatus.absent("mywebapp"), installed.before());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-2.el5", "noarch"), installed.after());
        assertEquals("4.2.6-2.el5\n", Files.readString(root.resolve("opt/mywebapp/VERSION")), "installed inside the root");

        assertFalse(timings.time("install again", () -> dnf.install("mywebapp", null)).changed());
        assertFalse(dnf.install("mywebapp", "4.2.6-2.el5").changed());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-2.el5", "noarch"), timings.time("status", () -> dnf.status("mywebapp")));

        PackageProvider.PackageChange updated = timings.time("update to 4.2.6-3.el5", () -> dnf.update("mywebapp"));
        assertTrue(updated.changed());
        assertEquals("4.2.6-2.el5", updated.before().version());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-3.el5", "noarch"), updated.after());
        assertFalse(timings.time("update again", () -> dnf.update("mywebapp")).changed());

        ActionFailedException missing = assertThrows(ActionFailedException.class, () -> dnf.install("mywebapp", "4.2.6-9.el5"));
        assertTrue(missing.getMessage().startsWith("cannot install mywebapp-4.2.6-9.el5: `dnf "), missing.getMessage());
        assertTrue(missing.getMessage().contains("Unable to find a match: mywebapp-4.2.6-9.el5"), missing.getMessage());

        // dnf would read these as mywebapp, version 4.2.6: the exact-name check keeps them off mywebapp.
        assertFalse(dnf.uninstall("mywebapp-4.2.6").changed());
        assertThrows(ActionFailedException.class, () -> dnf.update("mywebapp-4.2.6"));
        assertEquals("4.2.6-3.el5", dnf.status("mywebapp").version(), "neither touched mywebapp");

        PackageProvider.PackageChange downgraded = timings.time("install 4.2.6-2.el5 (downgrade)",
                () -> dnf.install("mywebapp", "4.2.6-2.el5"));
        assertTrue(downgraded.changed());
        assertEquals("4.2.6-2.el5", downgraded.after().version());

        PackageProvider.PackageChange removed = timings.time("uninstall", () -> dnf.uninstall("mywebapp"));
        assertTrue(removed.changed());
        assertEquals(PackageStatus.absent("mywebapp"), removed.after());
        assertFalse(Files.exists(root.resolve("opt/mywebapp/VERSION")));
        assertFalse(timings.time("uninstall again", () -> dnf.uninstall("mywebapp")).changed());

        host.assertUnchanged(shell);
        timings.print();
    }

    @Test
    void aDryRunPredictsWithRepoqueryAndAssumenoAndLeavesTheRpmDatabaseAsItWas() throws Exception {
        RealTools.requireRoot();
        RealTools.require("rpmbuild", "rpm");
        RealTools.require("createrepo_c", "createrepo-c");
        RealTools.require("dnf", "dnf");
        HostPackages host = HostPackages.snapshot(shell);
        Path repo = buildRepository();
        Path root = Files.createDirectories(work.resolve("root"));
        Path reposdir = Files.createDirectories(work.resolve("repos.d"));
        Files.writeString(reposdir.resolve("drover-test.repo"), """
                [drover-test]
                name=Drover test packages
                baseurl=file://%s
                enabled=1
                gpgcheck=0
                """.formatted(repo));
        Path config = Files.writeString(work.resolve("dnf.conf"), """
                [main]
                gpgcheck=0
                plugins=0
                install_weak_deps=0
                keepcache=0
                reposdir=%s
                """.formatted(reposdir));
        Settings settings = new Settings("agents.package", Map.of("provider", "dnf", "config", config.toString(),
                "installroot", root.toString(), "reposdir", reposdir.toString(), "releasever", "9"));
        PackageAgent agent = new PackageAgent(PackageAgent.PROVIDERS.create(settings));
        assertTrue(agent.packages().install("mywebapp", "4.2.6-2.el5").changed());
        // rpm's own %_dbpath, inside the install root (on a Debian host /root/.rpmdb, on Fedora /var/lib/rpm)
        Path rpmdb = root.resolve(shell.check(Command.of("rpm", "--eval", "%_dbpath")).stdout().strip().substring(1));
        assertTrue(Files.isDirectory(rpmdb), rpmdb + " holds the install root's rpm database");
        Map<String, String> database = PackageDatabase.snapshot(rpmdb);
        String rpmQa = shell.check(Command.of("rpm", "--root", root.toString(), "-qa")).stdout();

        ActionResult update = AptPackagesIT.dryRun(agent, "update", Map.of("package", "mywebapp"));
        assertEquals("would update mywebapp 4.2.6-2.el5 -> 4.2.6-3.el5", update.message());
        assertEquals("would install mywebapp 4.2.6-2.el5 -> 4.2.6-3.el5", AptPackagesIT.dryRun(agent, "install",
                Map.of("package", "mywebapp", "version", "4.2.6-3.el5")).message());
        assertEquals("would remove mywebapp 4.2.6-2.el5", AptPackagesIT.dryRun(agent, "uninstall", Map.of("package", "mywebapp")).message());
        ActionFailedException missing = assertThrows(ActionFailedException.class,
                () -> AptPackagesIT.dryRun(agent, "install", Map.of("package", "mywebapp", "version", "4.2.6-9.el5")));
        assertTrue(missing.getMessage().startsWith("would fail: no repository offers mywebapp-4.2.6-9.el5"), missing.getMessage());

        assertEquals(database, PackageDatabase.snapshot(rpmdb), "the rpm database is byte for byte as it was");
        assertEquals(rpmQa, shell.check(Command.of("rpm", "--root", root.toString(), "-qa")).stdout());
        assertEquals("4.2.6-2.el5\n", Files.readString(root.resolve("opt/mywebapp/VERSION")));

        io.drover.agent.plugin.Action real = agent.action("update");
        ActionResult updated = real.handler().run(real.validate("package", Map.of("package", "mywebapp")));
        assertEquals(update.data(), updated.data(), "the real update does what the dry run predicted");
        assertFalse((Boolean) AptPackagesIT.dryRun(agent, "update", Map.of("package", "mywebapp")).data().get("changed"));
        host.assertUnchanged(shell);
    }

    /** mywebapp 4.2.6, releases 2.el5 and 3.el5, noarch, and the repository metadata. */
    private Path buildRepository() throws Exception {
        Path topdir = Files.createDirectories(work.resolve("rpmbuild"));
        Path repo = Files.createDirectories(work.resolve("repo"));
        Path spec = Files.writeString(work.resolve("mywebapp.spec"), """
                Name: mywebapp
                Version: 4.2.6
                Release: %{drover_release}
                Summary: Drover test package
                License: MIT
                BuildArch: noarch

                %description
                Drover test package.

                %install
                mkdir -p %{buildroot}/opt/mywebapp
                echo %{version}-%{release} > %{buildroot}/opt/mywebapp/VERSION

                %files
                /opt/mywebapp/VERSION
                """);
        for (String release : List.of("2.el5", "3.el5")) {
            shell.check(Command.of("rpmbuild", "-bb", "--define", "_topdir " + topdir, "--define", "_rpmdir " + repo,
                    "--define", "drover_release " + release, spec.toString()));
        }
        shell.check(Command.of("createrepo_c", "--quiet", repo.toString()));
        return repo;
    }
}
