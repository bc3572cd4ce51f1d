package io.drover.security;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.protocol.Names;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON line of one audit record, bounded and safe to read on a terminal: params serialized and cut at
 * {@value #MAX_PARAMS_BYTES} bytes (a forged 200 KB request must not write 200 KB of audit), names from the
 * request escaped as in the agent's log ({@link Names#printable}), and no invisible character (bidi override,
 * zero-width space) written raw anywhere in the line.
 */
final class AuditLine {
    static final int MAX_PARAMS_BYTES = 4096;
    static final int MAX_REASON_CHARS = 4096;
    private static final int MAX_NAME_CHARS = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setCharacterEscapes(new InvisibleEscapes());
    }

    private AuditLine() {
    }

    /** The record as one line of UTF-8 JSON, newline included. */
    static byte[] encode(AuditLog.Entry entry) throws JsonProcessingException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", String.valueOf(entry.time()));
        line.put("node", name(entry.node()));
        line.put("request_id", name(entry.requestId()));
        line.put("caller", name(entry.caller()));
        line.put("agent", name(entry.agent()));
        line.put("action", name(entry.action()));
        line.put("params", params(entry.params()));
        line.put("verdict", entry.verdict());
        line.put("reason", cut(entry.reason()));
        line.put("status", entry.status());
        if (entry.dryRun()) {
            line.put("dry_run", true); // only then, so the lines of real runs read as they always did
        }
        return (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String name(String value) {
        return value == null ? null : Names.printable(value, MAX_NAME_CHARS);
    }

    /** The params as they are when small; otherwise their JSON cut at a character boundary, as a string. */
    private static Object params(Map<String, Object> params) throws JsonProcessingException {
        if (params == null) {
            return null;
        }
        String json = JSON.writeValueAsString(params);
        int bytes = utf8Length(json, json.length());
        if (bytes <= MAX_PARAMS_BYTES) {
            return params;
        }
        int end = 0;
        int used = 0;
        while (end < json.length()) {
            int c = json.codePointAt(end);
            int size = utf8Length(c);
            if (used + size > MAX_PARAMS_BYTES) {
                break;
            }
            used += size;
            end += Character.charCount(c);
        }
        return json.substring(0, end) + "…(truncated, " + bytes + " bytes)";
    }

    private static String cut(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_CHARS) {
            return reason;
        }
        int end = MAX_REASON_CHARS;
        if (Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--;
        }
        return reason.substring(0, end) + "…(truncated, " + reason.length() + " characters)";
    }

    private static int utf8Length(String text, int end) {
        int bytes = 0;
        for (int i = 0; i < end; ) {
            int c = text.codePointAt(i);
            bytes += utf8Length(c);
            i += Character.charCount(c);
        }
        return bytes;
    }

    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }

    /** JSON's own escapes, plus {@code \\uXXXX} for every character {@link Names#isInvisible} flags. */
    private static final class InvisibleEscapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return Names.isInvisible(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
