package io.drover.agents.pkg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every expectation here was checked with {@code dpkg --compare-versions A lt|eq|gt B} (dpkg 1.21.22).
 */
class DebianVersionTest {
    private static int compare(String a, String b) {
        return Integer.signum(DebianVersion.ORDER.compare(a, b));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = ' ', value = {
            "1.0 < 1.1",
            "1.10 > 1.9",
            "1.0~rc1 < 1.0",
            "1.0 < 1.0+b1",
            "1:0.1 > 9.9",
            "4.2.6-2.el5 < 4.2.6-3.el5",
            "4.2.6-10.el5 > 4.2.6-9.el5",
            "1.0-1 = 1.0-1",
            "1.0a < 1.0b",
            "1.0 < 1.0a",
            "1.0~~ < 1.0~",
            "1.0~ < 1.0",
            "1.0~~ < 1.0",
            "2.0 > 1.99999",
            // more corners
            "0:1.0 = 1.0",
            "1.0 = 1.00",
            "1.01 = 1.1",
            "1.0-0 = 1.0",
            "1.0.0 > 1.0",
            "1.0a < 1.0.a",
            "1.0+ < 1.0.",
            "1.0~rc1 < 1.0~rc2",
            "1.0~rc1~1 < 1.0~rc1",
            "1.0-1~bpo1 < 1.0-1",
            "1.0-1 < 1.0-1+deb12u1",
            "1.0Z < 1.0a",
            "2:1.0 > 1:9.9",
            "10:1.0 > 9:1.0",
            "1:2:3 < 1:2:4",
            "1.0-1-2 < 1.0-1-3",
            "1.2.3-4 > 1.2.3-3.9",
            "99999999999999999999 < 100000000000000000000",
            "1.0-rc1 > 1.0-10",
            "7.4.052-1ubuntu3 < 7.4.052-1ubuntu3.1",
            "2.30-0ubuntu2 > 2.30~pre-0ubuntu1"})
    void ordersLikeDpkg(String left, String op, String right) {
        int expected = switch (op) {
            case "<" -> -1;
            case "=" -> 0;
            case ">" -> 1;
            default -> throw new IllegalArgumentException(op);
        };
        assertEquals(expected, compare(left, right), left + " " + op + " " + right);
        assertEquals(-expected, compare(right, left), "antisymmetric: " + right + " vs " + left);
    }

    @Test
    void epochWithLeadingZerosIsStillAnEpoch() {
        // dpkg: "0000000001:1.0" has epoch 1, so it is greater than "2.0" (epoch 0).
        assertEquals(1, compare("0000000001:1.0", "2.0"));
        assertEquals(0, compare("0000000001:1.0", "1:1.0"));
    }

    @Test
    void sortsAListOfVersions() {
        List<String> versions = new ArrayList<>(List.of("1.0", "1:0.1", "1.0~rc1", "1.10", "1.9", "1.0+b1", "1.0~~", "1.0a"));
        versions.sort(DebianVersion.ORDER);
        assertEquals(List.of("1.0~~", "1.0~rc1", "1.0", "1.0a", "1.0+b1", "1.9", "1.10", "1:0.1"), versions);
    }
}
