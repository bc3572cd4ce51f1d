package io.drover.agents.pkg;

import io.drover.agent.command.Command;
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

class AptPackagesTest {
    private static final List<String> APT_GET = List.of("apt-get", "-q", "-o", "APT::Cmd::Pattern-Only=true", "-y",
            "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "-o", "DPkg::Lock::Timeout=60");
    private static final String NOT_FOUND = "dpkg-query: no packages found matching mywebapp\n";
    private static final String POLICY = """
            mywebapp:
              Installed: 4.2.6-2
              Candidate: 4.2.6-3
              Version table:
                 4.2.6-3 500
                    500 file:/srv/repo ./ Packages
             *** 4.2.6-2 500
                    500 file:/srv/repo ./ Packages
                    100 /var/lib/dpkg/status
            """;

    @TempDir
    Path dir;
    private Path aptConfig;
    private Path root;
    private final ScriptedRunner runner = new ScriptedRunner();

    @BeforeEach
    void privateRoot() throws Exception {
        aptConfig = Files.writeString(dir.resolve("apt.conf"), "Dir \"/srv/root/\";\n");
        root = Files.createDirectories(dir.resolve("root"));
    }

    private AptPackages apt(Object... extraSettings) {
        Map<String, Object> values = new HashMap<>(Map.of("apt_config", aptConfig.toString(), "dpkg_root", root.toString()));
        for (int i = 0; i < extraSettings.length; i += 2) {
            values.put((String) extraSettings[i], extraSettings[i + 1]);
        }
        return new AptPackages(new Settings("agents.package", values), runner);
    }

    private List<String> dpkgQuery() {
        return List.of("dpkg-query", "--root=" + root, "-W", "-f", "${Status}\\t${Version}\\t${Architecture}\\n", "--", "mywebapp");
    }

    private static List<String> aptGet(String... args) {
        List<String> all = new ArrayList<>(APT_GET);
        all.addAll(List.of(args));
        return all;
    }

    private static final List<String> APT_UPDATE = List.of("apt-get", "-q", "-o", "APT::Cmd::Pattern-Only=true", "update");
    private static final List<String> APT_POLICY = List.of("apt-cache", "-q", "-o", "APT::Cmd::Pattern-Only=true", "policy", "--", "mywebapp");

    private static String installed(String version) {
        return "install ok installed\t" + version + "\tall\n";
    }

    // --- status ---

    @Test
    void statusOfAnInstalledPackage() throws Exception {
        runner.ok(installed("4.2.6-2"));
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-2", "all"), apt().status("mywebapp"));
        assertEquals(List.of(dpkgQuery()), runner.args());
        assertEquals(Map.of(), runner.commands().get(0).environment(), "dpkg-query reads no apt configuration");
    }

    @Test
    void aPackageDpkgNeverKnewIsNotInstalled() throws Exception {
        runner.fails(1, "", NOT_FOUND);
        assertEquals(PackageStatus.absent("mywebapp"), apt().status("mywebapp"));
    }

    @Test
    void aRemovedPackageWithItsConfigurationFilesLeftIsNotInstalled() throws Exception {
        runner.ok("deinstall ok config-files\t4.2.6-2\tall\n");
        assertEquals(PackageStatus.absent("mywebapp"), apt().status("mywebapp"));
    }

    @Test
    void aHalfConfiguredPackageIsNotInstalledButKeepsItsVersion() throws Exception {
        runner.ok("install ok half-configured\t4.2.6-3\tall\n");
        assertEquals(new PackageStatus("mywebapp", false, "4.2.6-3", "all"), apt().status("mywebapp"));
        runner.ok("install reinstreq installed\t4.2.6-3\tall\n");
        assertFalse(apt().status("mywebapp").installed(), "reinstreq: dpkg itself says it needs reinstalling");
        runner.ok("install ok triggers-pending\t4.2.6-3\tall\n");
        assertTrue(apt().status("mywebapp").installed(), "pending triggers do not make a package unusable");
    }

    @Test
    void epochsAreKept() throws Exception {
        runner.ok("hold ok installed\t1:4.2.6-3\tamd64\n");
        assertEquals(new PackageStatus("mywebapp", true, "1:4.2.6-3", "amd64"), apt().status("mywebapp"));
    }

    @Test
    void ofSeveralArchitecturesTheInstalledOneCounts() throws Exception {
        runner.ok("deinstall ok config-files\t4.2.6-2\ti386\ninstall ok installed\t4.2.6-3\tamd64\n");
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-3", "amd64"), apt().status("mywebapp"));
    }

    @Test
    void aBrokenDpkgQueryIsAFailureNotAnAbsentPackage() {
        runner.fails(2, "", "dpkg-query: error: cannot access archive '/srv/root/var/lib/dpkg/status': Permission denied\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().status("mywebapp"));
        assertTrue(e.getMessage().startsWith("cannot read the status of mywebapp: `dpkg-query --root="), e.getMessage());
        assertTrue(e.getMessage().endsWith("exited 2: dpkg-query: error: cannot access archive '/srv/root/var/lib/dpkg/status': "
                + "Permission denied"), e.getMessage());
        assertEquals(2, e.data().get("exitcode"));
    }

    // --- install ---

    @Test
    void installLooksUpTheCandidateAndInstallsItByExactVersion() throws Exception {
        runner.fails(1, "", NOT_FOUND).ok("").ok(POLICY).ok("Setting up mywebapp (4.2.6-3) ...\n").ok(installed("4.2.6-3"));
        PackageProvider.PackageChange change = apt().install("mywebapp", null);
        assertTrue(change.changed());
        assertEquals(PackageStatus.absent("mywebapp"), change.before());
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-3", "all"), change.after());
        assertEquals(List.of(dpkgQuery(), APT_UPDATE, APT_POLICY, aptGet("install", "--", "mywebapp=4.2.6-3"), dpkgQuery()),
                runner.args());
        for (Command command : runner.commands()) {
            boolean apt = command.args().get(0).startsWith("apt");
            assertEquals(apt ? Map.of("APT_CONFIG", aptConfig.toString()) : Map.of(), command.environment(), command.display());
        }
    }

    @Test
    void installAnExactOlderVersionAllowsTheDowngrade() throws Exception {
        runner.ok(installed("4.2.6-3")).ok("").ok("").ok(installed("4.2.6-2"));
        PackageProvider.PackageChange change = apt().install("mywebapp", "4.2.6-2");
        assertTrue(change.changed());
        assertEquals("4.2.6-3", change.before().version());
        assertEquals("4.2.6-2", change.after().version());
        assertEquals(List.of(dpkgQuery(), APT_UPDATE, aptGet("install", "--allow-downgrades", "--", "mywebapp=4.2.6-2"), dpkgQuery()),
                runner.args());
    }

    @Test
    void installingWhatIsInstalledRunsNothingButTheQuery() throws Exception {
        runner.ok(installed("4.2.6-2")).ok(installed("4.2.6-2")).ok(installed("4.2.6-2"));
        AptPackages apt = apt();
        assertFalse(apt.install("mywebapp", null).changed(), "any version installed: nothing to do");
        assertFalse(apt.install("mywebapp", "4.2.6-2").changed());
        assertFalse(apt.install("mywebapp", "0:4.2.6-2").changed(), "epoch 0 is no epoch");
        assertEquals(List.of(dpkgQuery(), dpkgQuery(), dpkgQuery()), runner.args());
    }

    @Test
    void aVersionThatDoesNotExistIsAFailureNamingItAndWhatExists() {
        runner.ok(installed("4.2.6-2")).ok("")
                .fails(100, "Package mywebapp is not available, but is referred to by another package.\n",
                        "E: Version '4.2.6-9' for 'mywebapp' was not found\n")
                .ok(POLICY);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().install("mywebapp", "4.2.6-9"));
        assertTrue(e.getMessage().startsWith("cannot install mywebapp 4.2.6-9: `apt-get -q"), e.getMessage());
        assertTrue(e.getMessage().endsWith("exited 100: E: Version '4.2.6-9' for 'mywebapp' was not found "
                + "(available: 4.2.6-3, 4.2.6-2)"), e.getMessage());
        assertEquals(100, e.data().get("exitcode"));
        assertEquals(APT_POLICY, runner.args().get(3), "the hint comes from apt-cache policy");
        assertTrue(runner.done());
    }

    @Test
    void aNameNoRepositoryOffersIsNeverReadAsAPattern() {
        // "lib.+" passes input validation; a bare `apt-get install lib.+` would install every package matching it
        runner.fails(1, "", "dpkg-query: no packages found matching lib.+\n").ok("").ok("");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().install("lib.+", null));
        assertEquals("E: Unable to locate package lib.+: no repository offers a package of that name", e.getMessage());
        assertEquals(List.of("apt-cache", "-q", "-o", "APT::Cmd::Pattern-Only=true", "policy", "--", "lib.+"), runner.args().get(2));
        assertEquals(3, runner.args().size(), "apt-get install never ran");
    }

    @Test
    void aTrailingMinusNeverTurnsAnInstallIntoARemoval() throws Exception {
        // `apt-get install mywebapp-` removes mywebapp; the provider only ever installs NAME=VERSION
        runner.fails(1, "", "dpkg-query: no packages found matching mywebapp-\n").ok("")
                .fails(100, "", "E: Unable to locate package mywebapp-\n").ok("");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().install("mywebapp-", "4.2.6-3"));
        assertTrue(e.getMessage().contains("E: Unable to locate package mywebapp-"), e.getMessage());
        assertEquals(aptGet("install", "--allow-downgrades", "--", "mywebapp-=4.2.6-3"), runner.args().get(2));
    }

    @Test
    void aVirtualPackageHasNoCandidate() {
        runner.fails(1, "", NOT_FOUND).ok("").ok("mail-transport-agent:\n  Installed: (none)\n  Candidate: (none)\n  Version table:\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().install("mail-transport-agent", null));
        assertEquals("mail-transport-agent has no installation candidate: it is a virtual package, or no repository offers it "
                + "for this architecture; name a real package, or a version", e.getMessage());
    }

    @Test
    void anInstallThatDidNotLandIsAFailure() {
        runner.ok(installed("4.2.6-2")).ok("").ok("").ok(installed("4.2.6-2"));
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().install("mywebapp", "4.2.6-3"));
        assertEquals("apt-get install mywebapp=4.2.6-3 finished, but mywebapp 4.2.6-2 is installed; see the apt and dpkg logs "
                + "(term.log, dpkg.log)", e.getMessage());
    }

    @Test
    void withoutRefreshTheListsAreUsedAsTheyAre() throws Exception {
        runner.fails(1, "", NOT_FOUND).ok("").ok(installed("4.2.6-2"));
        apt("refresh", false).install("mywebapp", "4.2.6-2");
        assertEquals(List.of(dpkgQuery(), aptGet("install", "--allow-downgrades", "--", "mywebapp=4.2.6-2"), dpkgQuery()),
                runner.args());
    }

    @Test
    void aFailedRefreshSaysHowToGoOn() {
        runner.fails(1, "", NOT_FOUND).fails(100, "", "E: The repository 'http://apt.example.com ./ Release' does not have a Release file.\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().install("mywebapp", null));
        assertTrue(e.getMessage().startsWith("apt-get update failed, so the package lists may be stale (fix the sources, or set "
                + "refresh: false to use the lists as they are): `apt-get -q -o APT::Cmd::Pattern-Only=true update` exited 100: "
                + "E: The repository"), e.getMessage());
    }

    @Test
    void theLockTimeoutIsASetting() throws Exception {
        runner.ok(installed("4.2.6-2")).ok("").ok("").ok(installed("4.2.6-3"));
        apt("lock_timeout", 300).update("mywebapp");
        assertTrue(runner.args().get(2).contains("DPkg::Lock::Timeout=300"), runner.args().get(2).toString());
    }

    // --- update ---

    @Test
    void updateUpgradesToTheCandidate() throws Exception {
        runner.ok(installed("4.2.6-2")).ok("").ok("").ok(installed("4.2.6-3"));
        PackageProvider.PackageChange change = apt().update("mywebapp");
        assertTrue(change.changed());
        assertEquals("4.2.6-3", change.after().version());
        assertEquals(List.of(dpkgQuery(), APT_UPDATE, aptGet("install", "--only-upgrade", "--", "mywebapp"), dpkgQuery()),
                runner.args());
    }

    @Test
    void updateOfTheNewestIsNoChange() throws Exception {
        runner.ok(installed("4.2.6-3")).ok("").ok("mywebapp is already the newest version (4.2.6-3).\n").ok(installed("4.2.6-3"));
        assertFalse(apt().update("mywebapp").changed());
    }

    @Test
    void updateOfAPackageThatIsNotInstalledFailsWithoutRunningApt() {
        runner.fails(1, "", NOT_FOUND);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().update("mywebapp"));
        assertEquals("mywebapp is not installed, so not upgraded; install it first", e.getMessage());
        assertEquals(List.of(dpkgQuery()), runner.args());
    }

    @Test
    void aFailedUpgradeSaysWhatAptSaid() {
        runner.ok(installed("4.2.6-2")).ok("").fails(100, "", "E: Sub-process /usr/bin/dpkg returned an error code (1)\n");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt().update("mywebapp"));
        assertTrue(e.getMessage().endsWith("exited 100: E: Sub-process /usr/bin/dpkg returned an error code (1)"), e.getMessage());
    }

    // --- uninstall ---

    @Test
    void uninstallRemoves() throws Exception {
        runner.ok(installed("4.2.6-2")).ok("Removing mywebapp (4.2.6-2) ...\n").ok("deinstall ok config-files\t4.2.6-2\tall\n");
        PackageProvider.PackageChange change = apt().uninstall("mywebapp");
        assertTrue(change.changed());
        assertEquals(PackageStatus.absent("mywebapp"), change.after());
        assertEquals(List.of(dpkgQuery(), aptGet("remove", "--", "mywebapp"), dpkgQuery()), runner.args());
    }

    @Test
    void uninstallOfWhatIsNotInstalledRunsNothingButTheQuery() throws Exception {
        runner.fails(1, "", NOT_FOUND).ok("deinstall ok config-files\t4.2.6-2\tall\n");
        assertFalse(apt().uninstall("mywebapp").changed());
        assertFalse(apt().uninstall("mywebapp").changed(), "configuration files left: not installed");
        assertEquals(List.of(dpkgQuery(), dpkgQuery()), runner.args());
    }

    @Test
    void uninstallOfAHalfInstalledPackageRemovesIt() throws Exception {
        runner.ok("install reinstreq half-installed\t4.2.6-3\tall\n").ok("").fails(1, "", NOT_FOUND);
        assertTrue(apt().uninstall("mywebapp").changed());
        assertEquals(aptGet("remove", "--", "mywebapp"), runner.args().get(1));
    }

    // --- arguments and settings ---

    @Test
    void theProviderRefusesOptionLikeNamesAndVersionsItself() {
        AptPackages apt = apt();
        for (String name : List.of("-oDir=/", "--reinstall", "mywebapp=1.0", "a b", "a\nb", "")) {
            ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt.install(name, null), name);
            assertTrue(e.getMessage().startsWith("refusing package name '"), e.getMessage());
            assertThrows(ActionFailedException.class, () -> apt.uninstall(name), name);
            assertThrows(ActionFailedException.class, () -> apt.status(name), name);
            assertThrows(ActionFailedException.class, () -> apt.update(name), name);
        }
        for (String version : List.of("-1", "1.0 evil", "1.0;id", "$(reboot)")) {
            ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt.install("mywebapp", version), version);
            assertTrue(e.getMessage().startsWith("refusing version '"), e.getMessage());
        }
        assertEquals(List.of(), runner.args(), "nothing ran");
    }

    @Test
    void pathSettingsMustBeAbsoluteAndExist() {
        ConfigException relative = assertThrows(ConfigException.class,
                () -> new AptPackages(new Settings("agents.package", Map.of("apt_config", "apt.conf")), runner));
        assertEquals("agents.package.apt_config: must be an absolute path, got 'apt.conf'", relative.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> new AptPackages(new Settings("agents.package", Map.of("dpkg_root", dir + "/nope")), runner));
        assertEquals("agents.package.dpkg_root: " + dir + "/nope is not a directory; create it or fix the setting", missing.getMessage());
        assertThrows(ConfigException.class,
                () -> new AptPackages(new Settings("agents.package", Map.of("lock_timeout", -1)), runner));
    }

    @Test
    void aConfigFileRemovedAfterStartStopsEveryCommand() throws Exception {
        // apt would only warn and go on with the host's own configuration: the private root would be the host
        AptPackages apt = apt();
        runner.fails(1, "", NOT_FOUND);
        Files.delete(aptConfig);
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> apt.install("mywebapp", "4.2.6-2"));
        assertEquals("agents.package.apt_config: " + aptConfig + " is not a file; create it or fix the setting; nothing was run",
                e.getMessage());
        assertEquals(List.of(dpkgQuery()), runner.args(), "only the read-only query ran");
    }

    @Test
    void withACommandPrefixThePathsAreTheTargetsAndNotCheckedHere() throws Exception {
        ScriptedRunner inContainer = new ScriptedRunner(List.of("nsenter", "-t", "4242", "-a")).ok(installed("4.2.6-2"));
        AptPackages apt = new AptPackages(new Settings("agents.package", Map.of("apt_config", "/srv/container/apt.conf",
                "dpkg_root", "/srv/container/root")), inContainer);
        assertEquals("4.2.6-2", apt.status("mywebapp").version());
        assertEquals("--root=/srv/container/root", inContainer.args().get(0).get(1));
    }

    @Test
    void everySettingIsKnownAndATypoIsRefused() {
        Settings settings = new Settings("agents.package", Map.of("provider", "apt", "apt_config", aptConfig.toString(),
                "dpkg_root", root.toString(), "refresh", true, "lock_timeout", 10, "command_timeout", 900));
        PackageProvider provider = PackageAgent.PROVIDERS.create(settings);
        settings.requireAllRead();
        assertEquals("apt", provider.name());

        Settings typo = new Settings("agents.package", Map.of("provider", "apt", "apt_conf", aptConfig.toString()));
        PackageAgent.PROVIDERS.create(typo);
        ConfigException e = assertThrows(ConfigException.class, typo::requireAllRead);
        assertTrue(e.getMessage().startsWith("Unknown setting [apt_conf] in agents.package"), e.getMessage());
    }
}
