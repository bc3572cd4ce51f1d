package io.drover.agents.pkg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AptSimulationTest {
    private static final PackageStatus INSTALLED = new PackageStatus("mywebapp", true, "4.2.6-2", "all");

    @Test
    void anUpgradeLineGivesTheNewVersionAndArchitecture() {
        String output = """
                NOTE: This is only a simulation!
                Reading package lists...
                Inst mywebapp [4.2.6-2] (4.2.6-3 localhost [all])
                Inst mywebapp-doc (4.2.6-3 localhost [all])
                Conf mywebapp (4.2.6-3 localhost [all])
                """;
        assertEquals(new PackageStatus("mywebapp", true, "4.2.6-3", "all"), AptSimulation.after("mywebapp", INSTALLED, output));
    }

    @Test
    void aFreshInstallOfAForeignArchitectureAndARemovalAreRead() {
        assertEquals(new PackageStatus("libfoo", true, "1:2.0~rc1-1", "i386"), AptSimulation.after("libfoo",
                PackageStatus.absent("libfoo"), "Inst libfoo:i386 (1:2.0~rc1-1 Debian:12.4/stable [i386])\n"));
        assertEquals(PackageStatus.absent("mywebapp"), AptSimulation.after("mywebapp", INSTALLED, "Remv mywebapp [4.2.6-2]\n"));
    }

    @Test
    void noLineForThePackageMeansNothingWouldHappenToIt() {
        assertEquals(INSTALLED, AptSimulation.after("mywebapp", INSTALLED,
                "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\nInst mywebapp-extra (1.0 x [all])\n"));
    }
}
