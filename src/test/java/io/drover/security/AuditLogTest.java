package io.drover.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
