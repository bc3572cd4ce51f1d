package io.drover.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpAddressTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // IPv4
            "192.168.1.1 | 192.168.1.1",
            "0.0.0.0 | 0.0.0.0",
            "255.255.255.255 | 255.255.255.255",
            // IPv6, RFC 5952
            "2001:0db8:0000:0000:0000:0000:0000:0001 | 2001:db8::1",
            "2001:DB8::1 | 2001:db8::1",
            "0:0:0:0:0:0:0:1 | ::1",
            ":: | ::",
            "0:0:0:0:0:0:0:0 | ::",
            "1:0:0:0:0:0:0:0 | 1::",
            "fe80:0:0:0:0:0:0:0 | fe80::",
            "0:1:0:0:0:0:0:0 | 0:1::",
            "1:2:3:4:5:6:7:8 | 1:2:3:4:5:6:7:8",
            "1:0:0:2:0:0:0:3 | 1:0:0:2::3",
            "1:0:0:0:2:0:0:3 | 1::2:0:0:3",
            "2001:db8:0:0:1:0:0:1 | 2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1 | 2001:db8:0:1:1:1:1:1",
            "2001:db8::0:1 | 2001:db8::1",
            "2001:db8:00AB:0:0:0:0:FFFF | 2001:db8:ab::ffff",
            // networks: host bits cleared, full-length prefixes dropped
            "10.1.2.3/8 | 10.0.0.0/8",
            "192.168.1.77/24 | 192.168.1.0/24",
            "172.31.255.255/12 | 172.16.0.0/12",
            "1.2.3.4/0 | 0.0.0.0/0",
            "192.168.1.1/32 | 192.168.1.1",
            "2001:db8::1/64 | 2001:db8::/64",
            "2001:db8:ffff::/33 | 2001:db8:8000::/33",
            "::1/128 | ::1",
            "::/0 | ::/0",
    })
    void canonicalForm(String input, String canonical) {
        assertEquals(canonical, IpAddress.parse(input).toString());
        assertEquals(canonical, IpAddress.parse(canonical).toString(), "the canonical form is stable");
    }

    @Test
    void kindOfAddress() {
        assertFalse(IpAddress.parse("192.168.1.1").isIpv6());
        assertTrue(IpAddress.parse("2001:db8::1").isIpv6());
        assertTrue(IpAddress.parse("10.0.0.0/8").isNetwork());
        assertFalse(IpAddress.parse("10.0.0.1/32").isNetwork());
        assertFalse(IpAddress.parse("::1/128").isNetwork());
        assertTrue(IpAddress.parse("::/0").isNetwork());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
            "", " ", "192.168.01.1", "010.0.0.1", "256.1.1.1", "1.2.3.300", "1.2.3", "1.2.3.4.5", "1..2.3",
            "localhost", "example.com", "web01", "ip6-localhost", "0x7f.0.0.1", "2130706433",
            " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1.2.3 .4",
            "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/08", "1.2.3.4/-1", "1.2.3.4/8/8", "1.2.3.4/x", "/8",
            "::1/129", "2001:db8::/1280",
            "fe80::1%eth0", "fe80::1%1", "[::1]", "::ffff:1.2.3.4", "::ffff:0102:0304", "::ffff:1.2.3.4/120",
            "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "2001:db8::g", ":", ":::"})
    void rejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(text));
        assertFalse(e.getMessage() == null || e.getMessage().isBlank());
        assertFalse(IpAddress.isValid(text));
    }

    @Test
    void rejectionsSayWhatIsWrong() {
        assertEquals("octet 256 is larger than 255", message("256.1.1.1"));
        assertEquals("prefix /33 is longer than 32 bits", message("1.2.3.4/33"));
        assertEquals("prefix /129 is longer than 128 bits", message("::1/129"));
        assertEquals("empty address", message(""));
        assertTrue(message("::ffff:1.2.3.4").contains("IPv4-mapped"));
        assertTrue(message("localhost").contains("expected an IPv4 or IPv6 address"));
    }

    private static String message(String text) {
        return assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(text)).getMessage();
    }

    @Test
    void nullIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(null));
        assertFalse(IpAddress.isValid(null));
    }

    @Test
    void hostNamesAreRefusedWithoutALookup() {
        // A name that would need DNS (and may hang on a resolver) must be refused at once, not resolved.
        assertTimeoutPreemptively(Duration.ofMillis(500), () -> {
            for (String name : new String[]{"localhost", "nonexistent.invalid", "example.com", "abc:def.invalid"}) {
                assertFalse(IpAddress.isValid(name), name);
            }
        });
    }

    @Test
    void equalityIsByCanonicalForm() {
        IpAddress a = IpAddress.parse("2001:0db8:0:0:0:0:0:1");
        IpAddress b = IpAddress.parse("2001:db8::1");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(IpAddress.parse("10.9.8.7/8"), IpAddress.parse("10.0.0.0/8"));
        assertEquals(IpAddress.parse("1.2.3.4/32"), IpAddress.parse("1.2.3.4"));
        assertNotEquals(IpAddress.parse("10.0.0.0/8"), IpAddress.parse("10.0.0.0/16"));
        assertNotEquals(IpAddress.parse("10.0.0.0/8"), IpAddress.parse("10.0.0.0"));
        assertNotEquals(IpAddress.parse("::1"), IpAddress.parse("::2"));
        assertNotEquals(IpAddress.parse("::1"), "::1");
    }

    @ParameterizedTest(name = "{0} and {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8 | 10.1.2.3 | true",
            "10.1.2.3 | 10.0.0.0/8 | true",
            "10.0.0.0/8 | 10.0.0.0/16 | true",
            "10.0.0.0/8 | 11.0.0.0/8 | false",
            "10.1.2.3 | 10.1.2.4 | false",
            "10.1.2.3 | 10.1.2.3 | true",
            "0.0.0.0/0 | 203.0.113.9 | true",
            "198.51.100.0/24 | 198.51.101.0/24 | false",
            "2001:db8::/32 | 2001:db8:ff::1 | true",
            "2001:db8::/32 | 2001:db9::1 | false",
            "0.0.0.0/0 | ::1 | false",
    })
    void overlaps(String a, String b, boolean expected) {
        assertEquals(expected, IpAddress.parse(a).overlaps(IpAddress.parse(b)));
        assertEquals(expected, IpAddress.parse(b).overlaps(IpAddress.parse(a)));
    }
}
