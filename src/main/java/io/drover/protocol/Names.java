package io.drover.protocol;

import java.util.regex.Pattern;

/**
 * The syntax of names that travel in envelopes and become AMQP routing keys and queue names.
 * Checked on both sides: the client refuses to send what an agent would refuse to read.
 */
public final class Names {
    /** Node identities: host names and similar, e.g. {@code web01.de.example.com}. */
    public static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
    /** Collective names, e.g. {@code drover}, {@code eu_production}. */
    public static final Pattern COLLECTIVE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** The collective agents join and runners address unless configured otherwise. */
    public static final String DEFAULT_COLLECTIVE = "drover";
    /** Agent and action names, e.g. {@code firewall}, {@code is_blocked}. */
    public static final Pattern AGENT = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    /** Request ids: UUIDs, or any similar opaque token. */
    public static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{7,63}");
    /** Input (parameter) names. */
    public static final Pattern INPUT = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private Names() {
    }

    /** Returns {@code value} if it matches {@code pattern}, otherwise throws saying what {@code what} must look like. */
    public static String require(Pattern pattern, String value, String what) {
        if (value == null) {
            throw new ProtocolException(what + " is missing");
        }
        if (!pattern.matcher(value).matches()) {
            throw new ProtocolException(what + " '" + printable(value) + "' is not valid; it must match " + pattern.pattern());
        }
        return value;
    }

    public static boolean isIdentity(String value) {
        return value != null && IDENTITY.matcher(value).matches();
    }

    /**
     * A value safe to echo in a log line, an audit record or a message: control, format (bidi overrides and
     * isolates, zero-width characters, byte order mark), separator, lone surrogate and unassigned characters
     * escaped, at most 80 characters kept.
     */
    public static String printable(String value) {
        return printable(value, 80);
    }

    /** {@link #printable(String)} keeping at most {@code maxLength} characters of {@code value}. */
    public static String printable(String value, int maxLength) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), maxLength) + 8);
        int i = 0;
        while (i < value.length() && out.length() < maxLength) {
            int c = value.codePointAt(i);
            if (!isInvisible(c)) {
                out.appendCodePoint(c);
            } else if (c <= 0xff) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.append(String.format("\\u%04x", c));
            }
            i += Character.charCount(c);
        }
        if (i < value.length()) {
            out.append("...");
        }
        return out.toString();
    }

    /**
     * Whether a character could hide or disguise text on a terminal or in an editor (it is a control or format
     * character such as U+202E RIGHT-TO-LEFT OVERRIDE or U+200B ZERO WIDTH SPACE, a line or paragraph separator,
     * a lone surrogate, or not assigned yet), and so must be escaped before it is shown.
     */
    public static boolean isInvisible(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }
}
