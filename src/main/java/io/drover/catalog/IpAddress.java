package io.drover.catalog;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address or network (CIDR), the catalog's {@code ip_address} input type, parsed strictly
 * from a literal: never a host name, so parsing never touches DNS. {@link #toString()} is canonical (IPv6 compressed as in RFC 5952, host bits of a network
 * cleared, {@code /32} and {@code /128} dropped), so one address has one spelling in firewall state.
 */
public final class IpAddress {
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final byte[] bytes;
    private final int prefix;
    private final String canonical;

    private IpAddress(byte[] bytes, int prefix) {
        this.bytes = bytes;
        this.prefix = prefix;
        this.canonical = render(bytes, prefix);
    }

    /**
     * Parses {@code 192.168.1.1}, {@code 10.0.0.0/8}, {@code 2001:db8::1} or {@code 2001:db8::/32}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        String address = text;
        int prefix = -1;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            address = text.substring(0, slash);
            String bits = text.substring(slash + 1);
            if (!bits.matches("0|[1-9]\\d{0,2}")) {
                throw new IllegalArgumentException("prefix length '" + bits + "' is not a number");
            }
            prefix = Integer.parseInt(bits);
        }
        byte[] bytes;
        if (IPV4.matcher(address).matches()) {
            String[] parts = address.split("\\.");
            bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    throw new IllegalArgumentException("octet " + octet + " is larger than 255");
                }
                bytes[i] = (byte) octet;
            }
        } else if (address.indexOf(':') >= 0 && IPV6.matcher(address).matches()) {
            try {
                // A string of hex digits, colons and dots is parsed as a literal; no name lookup happens.
                bytes = InetAddress.getByName("[" + address + "]").getAddress();
            } catch (UnknownHostException | SecurityException e) {
                throw new IllegalArgumentException("not a valid IPv6 address");
            }
            if (bytes.length == 4) {
                throw new IllegalArgumentException("IPv4-mapped IPv6 addresses are not accepted; give the IPv4 address");
            }
        } else {
            throw new IllegalArgumentException("expected an IPv4 or IPv6 address such as 192.168.1.1 or 2001:db8::1, optionally with /prefix");
        }
        int maxPrefix = bytes.length * 8;
        if (prefix > maxPrefix) {
            throw new IllegalArgumentException("prefix /" + prefix + " is longer than " + maxPrefix + " bits");
        }
        if (prefix == maxPrefix) {
            prefix = -1;
        }
        if (prefix >= 0) {
            clearHostBits(bytes, prefix);
        }
        return new IpAddress(bytes, prefix);
    }

    /** Whether {@code text} parses; convenient for validation. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public boolean isIpv6() {
        return bytes.length == 16;
    }

    /** True for a network with a prefix shorter than the address length. */
    public boolean isNetwork() {
        return prefix >= 0;
    }

    /**
     * Whether the two share an address (one contains the other). nftables interval sets refuse overlapping
     * entries, and the nftables provider names the conflicting ones with this.
     */
    public boolean overlaps(IpAddress other) {
        if (bytes.length != other.bytes.length) {
            return false;
        }
        int common = Math.min(prefixBits(), other.prefixBits());
        for (int bit = 0; bit < common; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (other.bytes[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private int prefixBits() {
        return prefix >= 0 ? prefix : bytes.length * 8;
    }

    @Override
    public String toString() {
        return canonical;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpAddress that && canonical.equals(that.canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    private static void clearHostBits(byte[] bytes, int prefix) {
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
    }

    private static String render(byte[] bytes, int prefix) {
        String address = bytes.length == 4 ? renderIpv4(bytes) : renderIpv6(bytes);
        return prefix >= 0 ? address + "/" + prefix : address;
    }

    private static String renderIpv4(byte[] bytes) {
        return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
    }

    private static String renderIpv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // RFC 5952: the longest run of two or more zero groups (the first, on a tie) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
