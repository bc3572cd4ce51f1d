package io.drover.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void writesOneJsonLinePerEntryToAFileOthersCannotRead() throws Exception {
        Path file = dir.resolve("log/audit.log");
        try (AuditLog audit = AuditLog.toFile(file)) {
            audit.record(new AuditLog.Entry(Instant.parse("2026-11-24T10:00:00Z"), "web01", "id-00000001", "alice", "firewall", "block",
                    Map.of("address", "10.0.0.1\n\"x"), "ran", null, 0));
            audit.record(new AuditLog.Entry(Instant.parse("2026-11-24T10:00:01Z"), "web01", "id-00000002", "mallory", "firewall",
                    "block", Map.of(), "refused", "unknown caller mallory", 1));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("2026-11-24T10:00:00Z", first.get("time").asText());
        assertEquals("10.0.0.1\n\"x", first.get("params").get("address").asText(), "hostile params stay inside their JSON string");
        assertEquals("ran", first.get("verdict").asText());
        JsonNode second = new ObjectMapper().readTree(lines.get(1));
        assertEquals("refused", second.get("verdict").asText());
        assertEquals("unknown caller mallory", second.get("reason").asText());
        assertEquals(1, second.get("status").asInt());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    private static AuditLog.Entry entry(String id, String caller, Map<String, Object> params, String verdict) {
        return new AuditLog.Entry(Instant.parse("2026-11-24T10:00:00Z"), "web01", id, caller, "firewall", "block", params,
                verdict, null, verdict.equals("started") ? -1 : 0);
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> parsed = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            parsed.add(json.readTree(line));
        }
        return parsed;
    }

    @Test
    void aWriteTheDiskRefusesIsReportedAtOnceAndWritingResumesWhenItCan() throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(full), "needs /dev/full (Linux)");
        // The audit log is a symbolic link: first to /dev/full (every write fails with "No space left on device"),
        // then to a real file, as if space had been freed.
        Path file = dir.resolve("audit.log");
        Files.createSymbolicLink(file, full);
        try (AuditLog audit = AuditLog.toFile(file)) {
            IOException failure = assertThrows(IOException.class, () -> audit.record(entry("id-00000001", "alice", Map.of(), "started")));
            assertTrue(failure.getMessage().contains("No space left on device"), failure.getMessage());
            assertThrows(IOException.class, () -> audit.record(entry("id-00000002", "alice", Map.of(), "started")),
                    "every record fails while the disk is full; none is silently dropped");

            Path real = dir.resolve("audit.real");
            Files.delete(file);
            Files.createSymbolicLink(file, real);
            audit.record(entry("id-00000003", "alice", Map.of(), "started"));
            audit.record(entry("id-00000003", "alice", Map.of(), "ran"));
            List<JsonNode> lines = lines(real);
            assertEquals(2, lines.size());
            assertEquals("started", lines.get(0).get("verdict").asText());
            assertEquals("ran", lines.get(1).get("verdict").asText());
        }
    }

    @Test
    void aClosedLogRefusesToRecord() throws Exception {
        AuditLog audit = AuditLog.toFile(dir.resolve("audit.log"));
        audit.close();
        IOException failure = assertThrows(IOException.class, () -> audit.record(entry("id-00000001", "alice", Map.of(), "started")));
        assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
    }

    @Test
    void largeParamsAreCutToABoundedSizeForEveryVerdict() throws Exception {
        Path file = dir.resolve("audit.log");
        String huge = "A".repeat(200_000);
        try (AuditLog audit = AuditLog.toFile(file)) {
            for (String verdict : List.of("refused", "denied", "invalid", "started", "ran")) {
                audit.record(entry("id-0000000" + verdict.length(), "mallory", Map.of("address", huge), verdict));
            }
            audit.record(entry("id-00000009", "alice", Map.of("address", "10.0.0.1"), "ran"));
        }
        List<JsonNode> lines = lines(file);
        assertEquals(6, lines.size());
        for (JsonNode line : lines.subList(0, 5)) {
            String params = line.get("params").asText();
            assertTrue(params.length() <= 4200, "params cut to about 4 KiB, not " + params.length());
            assertTrue(params.startsWith("{\"address\":\"AAAA"), params.substring(0, 40));
            assertTrue(params.endsWith("…(truncated, 200014 bytes)"), params.substring(params.length() - 40));
        }
        assertTrue(Files.size(file) < 6 * 5_000, "the file stays small: " + Files.size(file));
        assertEquals("10.0.0.1", lines.get(5).get("params").get("address").asText(), "small params stay an object");
    }

    @Test
    void bidiAndZeroWidthCharactersFromTheRequestAreEscaped() throws Exception {
        Path file = dir.resolve("audit.log");
        try (AuditLog audit = AuditLog.toFile(file)) {
            audit.record(new AuditLog.Entry(Instant.parse("2026-11-24T10:00:00Z"), "web01", "id-00000001", "mallory\u202e\u200bnimda",
                    "firewall", "block", Map.of("address", "10.0.0.1\u2066x"), "refused", "unknown caller", 1));
        }
        String raw = Files.readString(file);
        for (char c : new char[]{'\u202e', '\u200b', '\u2066'}) {
            assertFalse(raw.indexOf(c) >= 0, "no raw U+" + Integer.toHexString(c) + " in the audit file: " + raw);
        }
        JsonNode line = lines(file).get(0);
        assertEquals("mallory\\u202e\\u200bnimda", line.get("caller").asText(), "the caller is escaped as in the agent's log");
        assertEquals("10.0.0.1\u2066x", line.get("params").get("address").asText(), "params stay exact JSON, escaped on disk");
    }

    @Test
    void aDryRunIsRecordedAsOneAndARealRunReadsAsBefore() throws Exception {
        Path file = dir.resolve("audit.log");
        try (AuditLog audit = AuditLog.toFile(file)) {
            audit.record(new AuditLog.Entry(Instant.parse("2026-11-24T10:00:00Z"), "web01", "id-00000001", "alice", "package", "update",
                    Map.of("package", "mywebapp"), "ran", null, 0, true));
            audit.record(entry("id-00000002", "alice", Map.of(), "ran"));
        }
        List<JsonNode> lines = lines(file);
        assertTrue(lines.get(0).get("dry_run").asBoolean());
        assertEquals(null, lines.get(1).get("dry_run"), "no dry_run field on the record of a real run");
    }
}
