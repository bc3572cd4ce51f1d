package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;
import io.drover.agents.pkg.PackageProvider.PackageChange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SandboxPackagesTest {
    private final SandboxPackages packages = new SandboxPackages(new Settings("agents.package", Map.of(
            "arch", "amd64",
            "installed", Map.of("mywebapp", "4.2.6-2.el5", "legacy", "0.9-1"),
            "available", Map.of(
                    "mywebapp", List.of("4.2.6-3.el5", "4.2.6-1.el5", "4.2.6-2.el5"),
                    "libfoo", List.of("1.9-1", "1.10-1", "1.10~rc1-1")),
            "failing", Map.of("brokenpkg", "dpkg: error processing package brokenpkg (--configure)")
    )));

    @Test
    void status() {
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-2.el5", "amd64"), packages.status("mywebapp"));
        assertEquals(PackageStatus.absent("libfoo"), packages.status("libfoo"));
        assertEquals(new PackageStatus("libfoo", false, null, null), packages.status("libfoo"));
    }

    @Test
    void archDefaultsToX86_64() throws Exception {
        SandboxPackages plain = new SandboxPackages(new Settings("agents.package",
                Map.of("available", Map.of("libfoo", List.of("1.0")))));
        assertEquals("x86_64", plain.install("libfoo", null).after().arch());
    }

    @Test
    void installAbsentTakesTheCandidateByDpkgOrder() throws Exception {
        PackageChange change = packages.install("libfoo", null);
        assertTrue(change.changed());
        assertFalse(change.before().installed());
        assertEquals(new PackageStatus("libfoo", true, "1.10-1", "amd64"), change.after());
        assertEquals("1.10-1", packages.status("libfoo").version());
    }

    @Test
    void installOfAnInstalledPackageChangesNothing() throws Exception {
        PackageChange change = packages.install("mywebapp", null);
        assertFalse(change.changed());
        assertEquals("4.2.6-2.el5", change.after().version(), "install does not upgrade");
    }

    @Test
    void installExactVersion() throws Exception {
        PackageChange up = packages.install("mywebapp", "4.2.6-3.el5");
        assertTrue(up.changed());
        assertEquals("4.2.6-2.el5", up.before().version());
        assertEquals("4.2.6-3.el5", up.after().version());

        PackageChange down = packages.install("mywebapp", "4.2.6-1.el5");
        assertTrue(down.changed(), "an exact older version is a downgrade");
        assertEquals("4.2.6-1.el5", packages.status("mywebapp").version());

        assertFalse(packages.install("mywebapp", "4.2.6-1.el5").changed());
    }

    @Test
    void installOfAMissingVersionNamesTheAvailableOnes() {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> packages.install("mywebapp", "4.2.7-1.el5"));
        assertEquals("E: Version '4.2.7-1.el5' for 'mywebapp' was not found (available: 4.2.6-1.el5, 4.2.6-2.el5, 4.2.6-3.el5)",
                e.getMessage());
        assertEquals("4.2.6-2.el5", packages.status("mywebapp").version());
    }

    @Test
    void installOfAnUnknownPackageFails() {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> packages.install("nosuchpkg", null));
        assertEquals("E: Unable to locate package nosuchpkg", e.getMessage());
        assertFalse(packages.status("nosuchpkg").installed());
    }

    @Test
    void updateToTheNewest() throws Exception {
        PackageChange change = packages.update("mywebapp");
        assertTrue(change.changed());
        assertEquals("4.2.6-2.el5", change.before().version());
        assertEquals("4.2.6-3.el5", change.after().version());
    }

    @Test
    void updateWhenNewestChangesNothing() throws Exception {
        packages.update("mywebapp");
        PackageChange again = packages.update("mywebapp");
        assertFalse(again.changed());
        assertEquals("4.2.6-3.el5", again.after().version());
    }

    @Test
    void updateOfAPackageOnlyKnownAsInstalledChangesNothing() throws Exception {
        // legacy is installed but in no repository list: its installed version is its only version.
        PackageChange change = packages.update("legacy");
        assertFalse(change.changed());
        assertEquals("0.9-1", change.after().version());
    }

    @Test
    void updateOfAPackageNotInstalledFails() {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> packages.update("libfoo"));
        assertEquals("libfoo is not installed, so not upgraded; install it first", e.getMessage());
        assertFalse(packages.status("libfoo").installed());
    }

    @Test
    void uninstallIsIdempotent() throws Exception {
        PackageChange removed = packages.uninstall("mywebapp");
        assertTrue(removed.changed());
        assertEquals("4.2.6-2.el5", removed.before().version());
        assertEquals(PackageStatus.absent("mywebapp"), removed.after());

        PackageChange again = packages.uninstall("mywebapp");
        assertFalse(again.changed());
        assertFalse(packages.uninstall("neverinstalled").changed());
    }

    @Test
    void uninstalledPackageCanBeReinstalledFromItsRepository() throws Exception {
        packages.uninstall("mywebapp");
        assertEquals("4.2.6-3.el5", packages.install("mywebapp", null).after().version());
    }

    @Test
    void failingPackageFailsEveryChange() throws Exception {
        SandboxPackages broken = new SandboxPackages(new Settings("agents.package", Map.of(
                "installed", Map.of("mywebapp", "1.0-1"),
                "available", Map.of("mywebapp", List.of("1.0-1", "1.1-1")),
                "failing", Map.of("mywebapp", "dpkg: error processing package mywebapp"))));
        assertEquals("dpkg: error processing package mywebapp",
                assertThrows(ActionFailedException.class, () -> broken.update("mywebapp")).getMessage());
        assertThrows(ActionFailedException.class, () -> broken.install("mywebapp", "1.1-1"));
        assertThrows(ActionFailedException.class, () -> broken.uninstall("mywebapp"));
        assertEquals("1.0-1", broken.status("mywebapp").version(), "a failed change leaves the package as it was");
        assertFalse(broken.install("mywebapp", null).changed(), "nothing to do is not a failure");
    }

    @Test
    void failingPackageIsNotInstalledByAFailedInstall() {
        SandboxPackages broken = new SandboxPackages(new Settings("agents.package", Map.of(
                "available", Map.of("brokenpkg", List.of("1.0")),
                "failing", Map.of("brokenpkg", "dpkg: error processing package brokenpkg (--configure)"))));
        assertThrows(ActionFailedException.class, () -> broken.install("brokenpkg", null));
        assertFalse(broken.status("brokenpkg").installed());
    }

    @Test
    void breakPackageAndRepair() throws Exception {
        packages.breakPackage("mywebapp", "E: Sub-process /usr/bin/dpkg returned an error code (1)");
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> packages.update("mywebapp"));
        assertEquals("E: Sub-process /usr/bin/dpkg returned an error code (1)", e.getMessage());
        assertEquals("4.2.6-2.el5", packages.status("mywebapp").version());

        packages.repair("mywebapp");
        assertEquals("4.2.6-3.el5", packages.update("mywebapp").after().version());
    }

    @Test
    void packageChangeReportsChangedOnlyForARealChange() {
        PackageStatus absent = PackageStatus.absent("x");
        PackageStatus one = new PackageStatus("x", true, "1", "amd64");
        PackageStatus two = new PackageStatus("x", true, "2", "amd64");
        assertFalse(new PackageChange(absent, absent).changed());
        assertFalse(new PackageChange(one, one).changed());
        assertTrue(new PackageChange(absent, one).changed());
        assertTrue(new PackageChange(one, absent).changed());
        assertTrue(new PackageChange(one, two).changed());
    }
}
