package io.drover.security;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One JSON line per request a node acts on or refuses: time, node, request id, caller, agent, action,
 * params (cut at 4 KiB), verdict ({@code started} before an action runs, {@code ran} after it, {@code refused},
 * {@code denied}, {@code invalid}), reason and status; and {@code "dry_run": true} for a dry run, which changes nothing
 * (its {@code ran} record is the prediction the node replied).
 */
public interface AuditLog extends AutoCloseable {
    /** What was decided about one request; {@code status} is -1 when there is no reply (yet). */
    record Entry(Instant time, String node, String requestId, String caller, String agent, String action,
                 Map<String, Object> params, String verdict, String reason, int status, boolean dryRun) {
        /** About a request that is not a dry run. */
        public Entry(Instant time, String node, String requestId, String caller, String agent, String action,
                     Map<String, Object> params, String verdict, String reason, int status) {
            this(time, node, requestId, caller, agent, action, params, verdict, reason, status, false);
        }
    }

    /**
     * Writes one record, or throws: a record that is not on disk (full disk, closed log) is never reported as
     * written, so a caller can refuse to act unaudited.
     */
    void record(Entry entry) throws IOException;

    @Override
    default void close() {
    }

    /** Records nothing. */
    static AuditLog none() {
        return entry -> { };
    }

    /**
     * Appends to {@code file} (created mode 0640). Each line goes to the file in one write as it is recorded; a
     * write that fails is taken back and the file reopened for the next record, so auditing resumes by itself
     * once the disk has space again.
     */
    static AuditLog toFile(Path file) throws IOException {
        return new AuditFile(file);
    }
}
