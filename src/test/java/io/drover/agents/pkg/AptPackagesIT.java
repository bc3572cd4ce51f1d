package io.drover.agents.pkg;

import io.drover.agent.command.Command;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.Settings;
import io.drover.testing.DebPackage;
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
 * The apt provider against the real apt-get, apt-cache and dpkg: two versions of {@code mywebapp} built with
 * dpkg-deb into a local repository, installed into a private root through an {@code APT_CONFIG} file, with the
 * host's own package database left alone.
 */
class AptPackagesIT {
    private final ProcessCommandRunner shell = new ProcessCommandRunner(List.of(), Duration.ofSeconds(120), 1 << 20);

    @TempDir
    Path work;

    @Test
    void installUpdateDowngradeAndRemoveInAPrivateRoot() throws Exception {
        RealTools.requireRoot();
        RealTools.require("dpkg-deb", "dpkg");
        RealTools.require("dpkg-scanpackages", "dpkg-dev");
        RealTools.require("apt-get", "apt");
        HostPackages host = HostPackages.snapshot(shell);

        Path repo = buildRepository();
        Path root = work.resolve("root");
        Settings settings = new Settings("agents.package", Map.of("provider", "apt",
                "apt_config", privateAptConfig(root, repo).toString(), "dpkg_root", root.toString()));
        PackageProvider apt = PackageAgent.PROVIDERS.create(settings);
        settings.requireAllRead();
        Timings timings = new Timings("apt");

        PackageProvider.PackageChange installed = timings.time("install 4.2.6-2", () -> apt.install("mywebapp", "4.2.6-2"));
        assertTrue(installed.changed());
        assertEquals(PackageStatus.absent("mywebapp"), installed.before());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-2", "all"), installed.after());
        assertEquals("configured 4.2.6-2\n", Files.readString(root.resolve("var/lib/mywebapp/state")),
                "the maintainer script ran, inside the private root");

        assertFalse(timings.time("install again", () -> apt.install("mywebapp", null)).changed());
        assertFalse(apt.install("mywebapp", "4.2.6-2").changed());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-2", "all"), timings.time("status", () -> apt.status("mywebapp")));

        // A locally changed configuration file would make dpkg ask what to do; the provider's options keep it.
        Path conffile = root.resolve("etc/mywebapp/mywebapp.conf");
        Files.writeString(conffile, "listen = 8081 # changed on this host\n");
        PackageProvider.PackageChange updated = timings.time("update to 4.2.6-3", () -> apt.update("mywebapp"));
        assertTrue(updated.changed());
        assertEquals("4.2.6-2", updated.before().version());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-3", "all"), updated.after());
        assertEquals("listen = 8081 # changed on this host\n", Files.readString(conffile));
        assertTrue(Files.exists(root.resolve("etc/mywebapp/mywebapp.conf.dpkg-dist")), "the package's new version is set aside");
        assertFalse(timings.time("update again", () -> apt.update("mywebapp")).changed());

        ActionFailedException missing = assertThrows(ActionFailedException.class, () -> apt.install("mywebapp", "4.2.6-9"));
        assertTrue(missing.getMessage().startsWith("cannot install mywebapp 4.2.6-9: `apt-get "), missing.getMessage());
        assertTrue(missing.getMessage().endsWith(": E: Version '4.2.6-9' for 'mywebapp' was not found (available: 4.2.6-3, 4.2.6-2)"),
                missing.getMessage());

        // Names that pass input validation but that apt would read as a pattern or with a remove/install modifier.
        ActionFailedException pattern = assertThrows(ActionFailedException.class, () -> apt.install("mywebap.", null));
        assertTrue(pattern.getMessage().startsWith("E: Unable to locate package mywebap."), pattern.getMessage());
        ActionFailedException minus = assertThrows(ActionFailedException.class, () -> apt.install("mywebapp-", null));
        assertTrue(minus.getMessage().startsWith("E: Unable to locate package mywebapp-"), minus.getMessage());
        assertThrows(ActionFailedException.class, () -> apt.install("mywebapp-", "4.2.6-3"));
        assertFalse(apt.uninstall("mywebapp+").changed());
        assertThrows(ActionFailedException.class, () -> apt.update("mywebapp-"));
        assertEquals("4.2.6-3", apt.status("mywebapp").version(), "none of them touched mywebapp");

        PackageProvider.PackageChange downgraded = timings.time("install 4.2.6-2 (downgrade)", () -> apt.install("mywebapp", "4.2.6-2"));
        assertTrue(downgraded.changed());
        assertEquals("4.2.6-2", downgraded.after().version());

        PackageProvider.PackageChange removed = timings.time("uninstall", () -> apt.uninstall("mywebapp"));
        assertTrue(removed.changed());
        assertEquals(PackageStatus.absent("mywebapp"), removed.after(), "configuration files left: not installed");
        assertFalse(timings.time("uninstall again", () -> apt.uninstall("mywebapp")).changed());
        assertEquals(PackageStatus.absent("mywebapp"), apt.status("mywebapp"));

        host.assertUnchanged(shell);
        timings.print();
    }

    @Test
    void aDryRunPredictsWithAptGetSimulateAndLeavesThePackageDatabaseAsItWas() throws Exception {
        RealTools.requireRoot();
        RealTools.require("dpkg-deb", "dpkg");
        RealTools.require("dpkg-scanpackages", "dpkg-dev");
        RealTools.require("apt-get", "apt");
        HostPackages host = HostPackages.snapshot(shell);
        Path repo = buildRepository();
        Path root = work.resolve("root");
        Settings settings = new Settings("agents.package", Map.of("provider", "apt",
                "apt_config", privateAptConfig(root, repo).toString(), "dpkg_root", root.toString()));
        PackageAgent agent = new PackageAgent(PackageAgent.PROVIDERS.create(settings));
        // The seed's starting point: 4.2.6-2 installed, the lists fetched by that real install.
        assertTrue(agent.packages().install("mywebapp", "4.2.6-2").changed());
        Map<String, String> database = PackageDatabase.snapshot(root.resolve("var/lib/dpkg"));
        Map<String, String> lists = PackageDatabase.snapshot(root.resolve("var/lib/apt/lists"));

        ActionResult update = dryRun(agent, "update", Map.of("package", "mywebapp"));
        assertEquals("would update mywebapp 4.2.6-2 -> 4.2.6-3", update.message());
        assertEquals(true, update.data().get("changed"));
        assertEquals("would install mywebapp 4.2.6-2 -> 4.2.6-3", dryRun(agent, "install", Map.of("package", "mywebapp",
                "version", "4.2.6-3")).message());
        assertEquals("mywebapp 4.2.6-2 already installed, nothing to do", dryRun(agent, "install", Map.of("package", "mywebapp")).message());
        assertEquals("would remove mywebapp 4.2.6-2", dryRun(agent, "uninstall", Map.of("package", "mywebapp")).message());
        ActionFailedException missing = assertThrows(ActionFailedException.class,
                () -> dryRun(agent, "install", Map.of("package", "mywebapp", "version", "4.2.6-9")));
        assertTrue(missing.getMessage().startsWith("would fail: cannot install mywebapp 4.2.6-9: `apt-get "), missing.getMessage());
        assertThrows(ActionFailedException.class, () -> dryRun(agent, "install", Map.of("package", "nosuch")));

        assertEquals(database, PackageDatabase.snapshot(root.resolve("var/lib/dpkg")), "the dpkg database is byte for byte as it was");
        assertEquals(lists, PackageDatabase.snapshot(root.resolve("var/lib/apt/lists")), "not even the package lists were refreshed");
        assertEquals("configured 4.2.6-2\n", Files.readString(root.resolve("var/lib/mywebapp/state")), "no maintainer script ran");

        // The real update does what the dry run predicted.
        Action real = agent.action("update");
        ActionResult updated = real.handler().run(real.validate("package", Map.of("package", "mywebapp")));
        assertEquals(update.data(), updated.data());
        assertEquals("4.2.6-3", agent.packages().status("mywebapp").version());
        assertFalse((Boolean) dryRun(agent, "update", Map.of("package", "mywebapp")).data().get("changed"));
        host.assertUnchanged(shell);
    }

    static ActionResult dryRun(PackageAgent agent, String actionName, Map<String, Object> params) throws Exception {
        Action action = agent.action(actionName);
        return action.dryRunHandler().run(action.validate(agent.name(), params));
    }

    /** Two versions of mywebapp, with a configuration file and a maintainer script, in a flat repository. */
    private Path buildRepository() throws Exception {
        Path repo = work.resolve("repo");
        for (String version : List.of("4.2.6-2", "4.2.6-3")) {
            DebPackage.of("mywebapp", version)
                    .file("opt/mywebapp/VERSION", version + "\n")
                    .conffile("etc/mywebapp/mywebapp.conf", "listen = 8080 # " + version + "\n")
                    // Run chrootless, a script must write under $DPKG_ROOT; without a private root that is the host.
                    .script("postinst", """
                            #!/bin/sh
                            set -e
                            if [ "$1" = configure ]; then
                                mkdir -p "$DPKG_ROOT/var/lib/mywebapp"
                                echo "configured %s" > "$DPKG_ROOT/var/lib/mywebapp/state"
                            fi
                            """.formatted(version))
                    .buildInto(repo, work.resolve("build"));
        }
        String packages = DebPackage.index(repo);
        assertEquals(2, packages.lines().filter(line -> line.startsWith("Version: ")).count(), packages);
        return repo;
    }

    /**
     * An APT_CONFIG file that points every directory at the private root, including the configuration parts
     * (read before anything given with -o, so host hooks such as docker-clean would otherwise run), and dpkg at
     * the root: {@code --root}, scripts run without chroot, and its own log.
     */
    private Path privateAptConfig(Path root, Path repo) throws Exception {
        for (String dir : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/lib/apt/lists/partial",
                "var/cache/apt/archives/partial", "var/log/apt", "etc/apt/apt.conf.d", "etc/apt/preferences.d",
                "etc/apt/sources.list.d", "etc/apt/trusted.gpg.d")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("var/lib/dpkg/available"), "");
        Files.writeString(root.resolve("etc/apt/sources.list"), "deb [trusted=yes] file:" + repo + " ./\n");
        String r = root.toString();
        return Files.writeString(work.resolve("apt.conf"), """
                Dir "%1$s/";
                Dir::State "%1$s/var/lib/apt/";
                Dir::State::status "%1$s/var/lib/dpkg/status";
                Dir::Etc "%1$s/etc/apt/";
                Dir::Etc::main "%1$s/etc/apt/apt.conf";
                Dir::Etc::parts "%1$s/etc/apt/apt.conf.d/";
                Dir::Etc::sourcelist "%1$s/etc/apt/sources.list";
                Dir::Etc::sourceparts "%1$s/etc/apt/sources.list.d/";
                Dir::Cache "%1$s/var/cache/apt/";
                Dir::Log "%1$s/var/log/apt/";
                APT::Sandbox::User "root";
                DPkg::Options { "--root=%1$s"; "--force-script-chrootless"; "--log=%1$s/var/log/dpkg.log"; };
                """.formatted(r));
    }
}
