package io.drover.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON line per request a node acts on or refuses: time, node, request id, caller, agent, action,
 * params, verdict ({@code ran}, {@code refused}, {@code denied}, {@code invalid}), reason and status.
 */
public interface AuditLog extends AutoCloseable {
    /** What was decided about one request. */
    record Entry(Instant time, String node, String requestId, String caller, String agent, String action,
                 Map<String, Object> params, String verdict, String reason, int status) {
    }

    void record(Entry entry);

    @Override
    default void close() {
    }

    /** Records nothing. */
    static AuditLog none() {
        return entry -> { };
    }

    /** Appends to {@code file} (created mode 0640), flushing each line so nothing is lost on a crash. */
    static AuditLog toFile(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        }
        BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        ObjectMapper json = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
        return new AuditLog() {
            @Override
            public synchronized void record(Entry entry) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("time", entry.time().toString());
                line.put("node", entry.node());
                line.put("request_id", entry.requestId());
                line.put("caller", entry.caller());
                line.put("agent", entry.agent());
                line.put("action", entry.action());
                line.put("params", entry.params());
                line.put("verdict", entry.verdict());
                line.put("reason", entry.reason());
                line.put("status", entry.status());
                try {
                    writer.write(json.writeValueAsString(line));
                    writer.newLine();
                    writer.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot write the audit log " + file, e);
                }
            }

            @Override
            public synchronized void close() {
                try {
                    writer.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
