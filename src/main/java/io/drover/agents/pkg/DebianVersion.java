package io.drover.agents.pkg;

import java.math.BigInteger;
import java.util.Comparator;

/**
 * Orders package versions the way dpkg does ({@code [epoch:]upstream[-revision]}, {@code ~} before anything,
 * letters before other symbols, digit runs numerically). RPM orders nearly all real-world versions the same.
 */
final class DebianVersion implements Comparator<String> {
    public static final DebianVersion ORDER = new DebianVersion();

    private DebianVersion() {
    }

    @Override
    public int compare(String left, String right) {
        String[] a = split(left);
        String[] b = split(right);
        int epochs = new BigInteger(a[0]).compareTo(new BigInteger(b[0]));
        if (epochs != 0) {
            return epochs;
        }
        int upstream = compareParts(a[1], b[1]);
        return upstream != 0 ? upstream : compareParts(a[2], b[2]);
    }

    private static String[] split(String version) {
        String epoch = "0";
        String rest = version;
        int colon = version.indexOf(':');
        if (colon > 0 && version.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
            epoch = version.substring(0, colon);
            rest = version.substring(colon + 1);
        }
        int dash = rest.lastIndexOf('-');
        return dash >= 0
                ? new String[]{epoch, rest.substring(0, dash), rest.substring(dash + 1)}
                : new String[]{epoch, rest, ""};
    }

    private static int compareParts(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
                int ac = i < a.length() ? order(a.charAt(i)) : 0;
                int bc = j < b.length() ? order(b.charAt(j)) : 0;
                if (ac != bc) {
                    return Integer.compare(ac, bc);
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            while (i < a.length() && Character.isDigit(a.charAt(i)) && j < b.length() && Character.isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < a.length() && Character.isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && Character.isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return Integer.signum(firstDiff);
            }
        }
        return 0;
    }

    /** dpkg's character weight: digits 0 (handled apart), ~ lowest, letters, then other symbols. */
    private static int order(char c) {
        if (Character.isDigit(c)) {
            return 0;
        }
        if (Character.isLetter(c)) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c + 256;
    }
}
