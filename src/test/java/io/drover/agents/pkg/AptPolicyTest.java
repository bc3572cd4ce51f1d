package io.drover.agents.pkg;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AptPolicyTest {
    @Test
    void candidateAndVersionsNewestFirst() {
        AptPolicy policy = AptPolicy.parse("libc6", """
                libc6:
                  Installed: 2.36-9+deb12u14
                  Candidate: 2.36-9+deb12u14
                  Version table:
                 *** 2.36-9+deb12u14 500
                        500 http://deb.debian.org/debian bookworm-updates/main amd64 Packages
                        100 /var/lib/dpkg/status
                     2.36-9+deb12u4 500
                        500 http://deb.debian.org/debian bookworm/main amd64 Packages
                     1:2.37-1~bpo12+1 -10
                        -10 http://deb.debian.org/debian bookworm-backports/main amd64 Packages
                """);
        assertEquals(new AptPolicy("2.36-9+deb12u14", List.of("2.36-9+deb12u14", "2.36-9+deb12u4", "1:2.37-1~bpo12+1")), policy);
    }

    @Test
    void theNativeArchitectureComesFirstAndCounts() {
        AptPolicy policy = AptPolicy.parse("mywebapp", """
                mywebapp:
                  Installed: (none)
                  Candidate: 4.2.6-3
                  Version table:
                     4.2.6-3 500
                        500 file:/srv/repo ./ Packages
                mywebapp:i386:
                  Installed: (none)
                  Candidate: 4.2.6-4
                  Version table:
                     4.2.6-4 500
                        500 file:/srv/repo ./ Packages
                """);
        assertEquals(new AptPolicy("4.2.6-3", List.of("4.2.6-3")), policy);
    }

    @Test
    void aForeignArchitectureOnlyPackageIsFound() {
        AptPolicy policy = AptPolicy.parse("wine32", "wine32:i386:\n  Installed: (none)\n  Candidate: 8.0~repack-4\n  Version table:\n");
        assertEquals("8.0~repack-4", policy.candidate());
    }

    @Test
    void nothingForAnUnknownNameAndNoCandidateForAVirtualOne() {
        assertNull(AptPolicy.parse("nosuch", ""));
        assertNull(AptPolicy.parse("mywebap", "mywebapp:\n  Installed: (none)\n  Candidate: 4.2.6-3\n"), "names match exactly");
        assertNull(AptPolicy.parse("mail-transport-agent", "mail-transport-agent:\n  Installed: (none)\n  Candidate: (none)\n"
                + "  Version table:\n").candidate());
    }
}
