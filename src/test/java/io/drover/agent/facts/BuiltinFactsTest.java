package io.drover.agent.facts;

import io.drover.filter.FactPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuiltinFactsTest {
    @TempDir
    Path root;

    private void write(String relative, String text) throws Exception {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void readsTheHostFromProcAndOsRelease() throws Exception {
        write("etc/os-release", """
                PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
                NAME="Rocky Linux"
                ID="rocky"
                ID_LIKE="rhel centos fedora"
                VERSION_ID="9.3"
                """);
        write("proc/sys/kernel/hostname", "web01.de.example.com\n");
        write("proc/sys/kernel/osrelease", "5.14.0-362.el9.x86_64\n");
        write("proc/cpuinfo", "processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\nmodel name\t: x\n\nprocessor\t: 2\n");
        write("proc/meminfo", "MemTotal:       16318480 kB\nMemFree:         1000 kB\n");
        Map<String, Object> facts = new BuiltinFacts(root).read();
        assertEquals("web01", facts.get("hostname"));
        assertEquals("RedHat", FactPath.resolve(facts, "os.family"));
        assertEquals("Rocky Linux", FactPath.resolve(facts, "os.name"));
        assertEquals("9", FactPath.resolve(facts, "os.release.major"));
        assertEquals("3", FactPath.resolve(facts, "os.release.minor"));
        assertEquals("5.14.0-362.el9.x86_64", FactPath.resolve(facts, "kernel.release"));
        assertEquals(3L, FactPath.resolve(facts, "processors.count"));
        assertEquals(15936L, FactPath.resolve(facts, "memory.total_mb"));
        assertTrue(facts.get("ip_addresses") instanceof List);
        assertTrue(facts.containsKey("architecture"));
    }

    @Test
    void theRealHostHasTheFactsFiltersNeed() {
        Map<String, Object> facts = BuiltinFacts.collect();
        for (String path : List.of("hostname", "fqdn", "os.family", "kernel.release", "architecture", "processors.count",
                "memory.total_mb", "networking.interfaces")) {
            assertTrue(FactPath.resolve(facts, path) != null, path + " in " + facts);
        }
        @SuppressWarnings("unchecked")
        List<String> addresses = (List<String>) facts.get("ip_addresses");
        assertFalse(addresses.contains("127.0.0.1"), "loopback is not an address of the host: " + addresses);
        addresses.forEach(address -> assertFalse(address.contains(":0:0:"), "canonical IPv6: " + address));
    }

    @ParameterizedTest
    @CsvSource({
            "debian,, Debian", "ubuntu, debian, Debian", "rocky, 'rhel centos fedora', RedHat", "centos, 'rhel fedora', RedHat",
            "fedora,, RedHat", "opensuse-leap, 'suse opensuse', Suse", "arch,, Archlinux", "alpine,, Alpine", ",, Linux"})
    void familiesAsFacterNamesThem(String id, String idLike, String family) {
        assertEquals(family, OsRelease.family(id == null ? "" : id, idLike == null ? "" : idLike));
    }

    @Test
    void osReleaseQuotingAndComments() {
        Map<String, String> values = OsRelease.parse(List.of("# comment", "NAME='Debian GNU/Linux'", "VERSION_ID=\"12\"",
                "ID=debian", "garbage", "=x"));
        assertEquals(Map.of("NAME", "Debian GNU/Linux", "VERSION_ID", "12", "ID", "debian"), values);
    }
}
