package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnfPackagesTest {
    private static final String NOT_INSTALLED = "package mywebapp is not installed\n";

    @TempDir
    Path dir;
    private Path root;
    private Path config;
    private Path repos;
    private final ScriptedRunner runner = new ScriptedRunner();

    @BeforeEach
    void privateRoot() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        repos = Files.createDirectories(dir.resolve("repos"));
        config = Files.writeString(dir.resolve("dnf.conf"), "[main]\ngpgcheck=0\n");
    }

    private DnfPackages dnf(String provider, Object... extraSettings) {
        Map<String, Object> values = new HashMap<>(Map.of("installroot", root.toString(), "config", config.toString(),
                "reposdir", repos.toString(), "releasever", "9"));
        for (int i = 0; i < extraSettings.length; i += 2) {
            values.put((String) extraSettings[i], extraSettings[i + 1]);
        }
        return new DnfPackages(new Settings("agents.package", values), provider, runner);
    }

    private DnfPackages dnf() {
        return dnf("dnf");
    }

    private List<String> rpmQuery(String pkg) {
        return List.of("rpm", "-q", "--root", root.toString(), "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n",
                "--", pkg);
    }

    private List<String> dnfArgs(String program, boolean refresh, String... args) {
        List<String> all = new ArrayList<>(List.of(program, "-y", "-q", "-c", config.toString(), "--installroot=" + root,
                "--setopt=reposdir=" + repos, "--releasever=9"));
        if (refresh) {
            all.add("--refresh");
        }
        all.addAll(List.of(args));
        return all;
    }

    private static String installed(String epoch, String vr) {
        return "mywebapp\t" + epoch + "\t" + vr + "\tnoarch\n";
    }

    // --- status ---

    @Test
    void statusOfAnInstalledPackage() throws Exception {
        runner.ok(installed("(none)", "4.2.6-2.el5"));
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-2.el5", "noarch"), dnf().status("mywebapp"));
        assertEquals(List.of(rpmQuery("mywebapp")), runner.args());
        assertEquals(Map.of(), runner.commands().get(0).environment());
    }

    @Test
    void notInstalled() throws Exception {
        runner.fails(1, NOT_INSTALLED, "");
        assertEquals(PackageStatus.absent("mywebapp"), dnf().status("mywebapp"));
    }

    @Test
    void aNonZeroEpochIsShownAndZeroIsNot() throws Exception {
        runner.ok(installed("2", "4.2.6-3.el5")).ok(installed("0", "4.2.6-3.el5"));
        assertEquals("2:4.2.6-3.el5", dnf().status("mywebapp").version());
        assertEquals("4.2.6-3.el5", dnf().status("mywebapp").version());
    }

    @Test
    void onlyThePackageOfThatExactNameCountsAndTheNewestOfSeveral() throws Exception {
        // rpm -q bash-5.1 answers for bash 5.1: that is not a package named bash-5.1
        runner.ok("bash\t(none)\t5.1-8.el9\tx86_64\n");
        assertEquals(PackageStatus.absent("bash-5.1"), dnf().status("bash-5.1"));
        runner.ok("kernel\t(none)\t5.14.0-70.el9\tx86_64\nkernel\t(none)\t5.14.0-162.el9\tx86_64\nkernel\t(none)\t5.14.0-99.el9\tx86_64\n");
        assertEquals("5.14.0-162.el9", dnf().status("kernel").version());
    }

    @Test
    void aBrokenRpmIsAFailureNotAnAbsentPackage() {
        runner.fails(1, "", "error: cannot open Packages database in /srv/root/var/lib/rpm\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> dnf().status("mywebapp"));
        assertTrue(e.getMessage().startsWith("cannot read the status of mywebapp: `rpm -q --root "), e.getMessage());
        assertTrue(e.getMessage().endsWith("exited 1: error: cannot open Packages database in /srv/root/var/lib/rpm"), e.getMessage());
    }

    @Test
    void theRpmDatabaseCanBeNamed() throws Exception {
        runner.ok(installed("(none)", "4.2.6-2.el5"));
        dnf("dnf", "rpm_dbpath", "/var/lib/rpm").status("mywebapp");
        assertEquals(List.of("rpm", "-q", "--root", root.toString(), "--dbpath", "/var/lib/rpm", "--qf",
                "%{NAME}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n", "--", "mywebapp"), runner.args().get(0));
    }

    // --- install ---

    @Test
    void installTheCandidate() throws Exception {
        runner.fails(1, NOT_INSTALLED, "").ok("").ok(installed("(none)", "4.2.6-3.el5"));
        PackageProvider.PackageChange change = dnf().install("mywebapp", null);
        assertTrue(change.changed());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-3.el5", "noarch"), change.after());
        assertEquals(List.of(rpmQuery("mywebapp"), dnfArgs("dnf", true, "install", "--", "mywebapp"), rpmQuery("mywebapp")),
                runner.args());
    }

    @Test
    void installAnExactVersionWithItsRelease() throws Exception {
        runner.ok(installed("(none)", "4.2.6-3.el5")).ok("").ok(installed("(none)", "4.2.6-2.el5"));
        PackageProvider.PackageChange change = dnf().install("mywebapp", "4.2.6-2.el5");
        assertEquals("4.2.6-3.el5", change.before().version());
        assertEquals("4.2.6-2.el5", change.after().version());
        assertEquals(dnfArgs("dnf", true, "install", "--", "mywebapp-4.2.6-2.el5"), runner.args().get(1));
    }

    @Test
    void installAVersionWithAnEpoch() throws Exception {
        runner.fails(1, NOT_INSTALLED, "").ok("").ok(installed("1", "4.2.6-3.el5"));
        assertEquals("1:4.2.6-3.el5", dnf().install("mywebapp", "1:4.2.6-3.el5").after().version());
        assertEquals(dnfArgs("dnf", true, "install", "--", "mywebapp-1:4.2.6-3.el5"), runner.args().get(1));
    }

    @Test
    void installingWhatIsInstalledRunsNothingButTheQuery() throws Exception {
        for (int i = 0; i < 4; i++) {
            runner.ok(installed("1", "4.2.6-3.el5"));
        }
        DnfPackages dnf = dnf();
        assertFalse(dnf.install("mywebapp", null).changed());
        assertFalse(dnf.install("mywebapp", "1:4.2.6-3.el5").changed());
        assertFalse(dnf.install("mywebapp", "4.2.6-3.el5").changed(), "no epoch asked for: any epoch, as dnf matches");
        assertFalse(dnf.install("mywebapp", "4.2.6").changed(), "no release asked for: any release");
        assertEquals(List.of(rpmQuery("mywebapp"), rpmQuery("mywebapp"), rpmQuery("mywebapp"), rpmQuery("mywebapp")), runner.args());
    }

    @Test
    void aVersionThatDoesNotExistIsAFailureNamingIt() {
        runner.ok(installed("(none)", "4.2.6-2.el5")).fails(1, "", "Error: Unable to find a match: mywebapp-4.2.6-9.el5\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> dnf().install("mywebapp", "4.2.6-9.el5"));
        assertTrue(e.getMessage().startsWith("cannot install mywebapp-4.2.6-9.el5: `dnf -y -q "), e.getMessage());
        assertTrue(e.getMessage().endsWith("exited 1: Error: Unable to find a match: mywebapp-4.2.6-9.el5"), e.getMessage());
        assertEquals(1, e.data().get("exitcode"));
    }

    @Test
    void aNameDnfTookForSomethingElseIsAFailure() {
        // "webserver" is a capability: dnf installs httpd, and no package named webserver is there afterwards
        runner.fails(1, "package webserver is not installed\n", "").ok("").fails(1, "package webserver is not installed\n", "");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> dnf().install("webserver", null));
        assertTrue(e.getMessage().contains("succeeded, but no package named webserver is installed: dnf took 'webserver' for "
                + "another package's name and version or for a capability"), e.getMessage());
    }

    @Test
    void anInstallOfAnotherVersionThanAskedIsAFailure() {
        runner.ok(installed("(none)", "4.2.6-3.el5")).ok("").ok(installed("(none)", "4.2.6-3.el5"));
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> dnf().install("mywebapp", "4.2.6-2.el5"));
        assertTrue(e.getMessage().endsWith("succeeded, but mywebapp 4.2.6-3.el5 is installed, not 4.2.6-2.el5; see dnf's log "
                + "(dnf.log)"), e.getMessage());
    }

    // --- update, uninstall ---

    @Test
    void updateUpgrades() throws Exception {
        runner.ok(installed("(none)", "4.2.6-2.el5")).ok("").ok(installed("(none)", "4.2.6-3.el5"));
        assertTrue(dnf().update("mywebapp").changed());
        assertEquals(List.of(rpmQuery("mywebapp"), dnfArgs("dnf", true, "upgrade", "--", "mywebapp"), rpmQuery("mywebapp")),
                runner.args());
    }

    @Test
    void updateOfTheNewestIsNoChangeAndOfWhatIsNotInstalledAFailure() throws Exception {
        runner.ok(installed("(none)", "4.2.6-3.el5")).ok("").ok(installed("(none)", "4.2.6-3.el5")).fails(1, NOT_INSTALLED, "");
        DnfPackages dnf = dnf();
        assertFalse(dnf.update("mywebapp").changed());
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> dnf.update("mywebapp"));
        assertEquals("mywebapp is not installed, so not upgraded; install it first", e.getMessage());
        assertTrue(runner.done());
    }

    @Test
    void uninstallRemovesAndIsANoOpWhenAbsent() throws Exception {
        runner.ok(installed("(none)", "4.2.6-2.el5")).ok("").fails(1, NOT_INSTALLED, "").fails(1, NOT_INSTALLED, "");
        DnfPackages dnf = dnf();
        assertTrue(dnf.uninstall("mywebapp").changed());
        assertFalse(dnf.uninstall("mywebapp").changed());
        assertEquals(List.of(rpmQuery("mywebapp"), dnfArgs("dnf", false, "remove", "--", "mywebapp"), rpmQuery("mywebapp"),
                rpmQuery("mywebapp")), runner.args());
    }

    @Test
    void uninstallOfANameVersionRemovesNothing() throws Exception {
        // `dnf remove mywebapp-4.2.6` would remove mywebapp: the exact-name query keeps dnf from running at all
        runner.ok(installed("(none)", "4.2.6-2.el5"));
        assertFalse(dnf().uninstall("mywebapp-4.2.6").changed());
        assertEquals(List.of(rpmQuery("mywebapp-4.2.6")), runner.args());
    }

    // --- yum, settings ---

    @Test
    void yumTakesTheSameCommandsWithoutRefreshWhenAskedTo() throws Exception {
        runner.ok(installed("(none)", "4.2.6-2.el5")).ok("").ok(installed("(none)", "4.2.6-3.el5"));
        DnfPackages yum = dnf("yum", "refresh", false);
        assertEquals("yum", yum.name());
        yum.update("mywebapp");
        assertEquals(dnfArgs("yum", false, "upgrade", "--", "mywebapp"), runner.args().get(1));
    }

    @Test
    void theProgramIsASetting() throws Exception {
        runner.ok(installed("(none)", "4.2.6-2.el5")).ok("").fails(1, NOT_INSTALLED, "");
        new DnfPackages(new Settings("agents.package", Map.of("program", "/usr/bin/dnf-3")), "dnf", runner).uninstall("mywebapp");
        assertEquals(List.of("/usr/bin/dnf-3", "-y", "-q", "remove", "--", "mywebapp"), runner.args().get(1));
        assertThrows(ConfigException.class,
                () -> new DnfPackages(new Settings("agents.package", Map.of("program", "-c/etc/evil.conf")), "dnf", runner));
    }

    @Test
    void theProviderRefusesOptionLikeNamesAndVersionsItself() {
        DnfPackages dnf = dnf();
        for (String name : List.of("-oDir=/", "--reinstall", "a b", "a\nb", "$(reboot)")) {
            assertThrows(ActionFailedException.class, () -> dnf.install(name, null), name);
            assertThrows(ActionFailedException.class, () -> dnf.uninstall(name), name);
        }
        assertThrows(ActionFailedException.class, () -> dnf.install("mywebapp", "--oldpackage"));
        assertEquals(List.of(), runner.args(), "nothing ran");
    }

    @Test
    void aMissingInstallRootIsRefusedBeforeDnfCouldCreateIt() throws Exception {
        DnfPackages dnf = dnf();
        Files.delete(root);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> dnf.install("mywebapp", null));
        assertEquals("agents.package.installroot: " + root + " is not a directory; create it or fix the setting; nothing was run",
                e.getMessage());
        assertEquals(List.of(), runner.args());
        ConfigException atStart = assertThrows(ConfigException.class, () -> dnf());
        assertTrue(atStart.getMessage().startsWith("agents.package.installroot: "), atStart.getMessage());
    }

    @Test
    void everySettingIsKnownAndATypoIsRefused() {
        Settings settings = new Settings("agents.package", Map.of("provider", "yum", "program", "dnf", "installroot", root.toString(),
                "config", config.toString(), "reposdir", repos.toString(), "releasever", "9", "rpm_dbpath", "/var/lib/rpm",
                "refresh", false, "command_prefix", List.of(), "command_timeout", 900));
        PackageProvider provider = PackageAgent.PROVIDERS.create(settings);
        settings.requireAllRead();
        assertEquals("yum", provider.name());

        Settings typo = new Settings("agents.package", Map.of("provider", "dnf", "install_root", root.toString()));
        PackageAgent.PROVIDERS.create(typo);
        assertThrows(ConfigException.class, typo::requireAllRead);
    }
}
