package io.drover.report;

import io.drover.client.LateReply;

import io.drover.client.CallResult;

import io.drover.protocol.Reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The per-host outcome of a call as a text table, one row per host: a step's report attachment and the CLI
 * show every host, a failure message only those that failed, were in the wrong state or never answered.
 */
public final class HostTable {
    public static final String OK = "OK";
    public static final String FAILED = "FAILED";
    public static final String MISMATCH = "WRONG STATE";
    public static final String NO_REPLY = "NO REPLY";
    public static final String UNEXPECTED = "UNEXPECTED";
    public static final String LATE = "LATE";
    private static final int MAX_MESSAGE = 160;

    /** One host's row. */
    public record Row(String host, String result, String status, String changed, String message, String elapsed) {
        public boolean ok() {
            return result.equals(OK);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    /** What happened to the broker connection during the call, or "". */
    private String connection = "";

    private HostTable() {
    }

    /** The table of a plain call: OK replies pass. */
    public static HostTable of(CallResult result) {
        return of(result, null, false);
    }

    /**
     * @param result    the call's result
     * @param check     for a Then step, the problem with a reply's state, or {@code null} if it is as expected;
     *                  {@code null} for a When step
     * @param anyStatus whether {@code check} alone judges a reply, whatever its status (a check expected to
     *                  fail); otherwise only OK replies can pass
     */
    public static HostTable of(CallResult result, Function<Reply, String> check, boolean anyStatus) {
        HostTable table = new HostTable();
        for (Map.Entry<String, Reply> entry : result.replies().entrySet()) {
            Reply reply = entry.getValue();
            String problem = (reply.isOk() || anyStatus) && check != null ? check.apply(reply) : null;
            String outcome = problem != null ? MISMATCH : !reply.isOk() && !anyStatus ? FAILED : OK;
            table.rows.add(new Row(entry.getKey(), outcome, reply.status().toString(), changed(reply),
                    problem != null ? problem : reply.message(), reply.elapsedMs() + " ms"));
        }
        result.missing().forEach((host, why) -> table.rows.add(new Row(host, NO_REPLY, "-", "", why, "")));
        result.unexpected().forEach((host, reply) -> table.rows.add(new Row(host, UNEXPECTED, reply.status().toString(),
                "", "answered without being asked: " + reply.message(), reply.elapsedMs() + " ms")));
        table.rows.sort((a, b) -> a.host().compareTo(b.host()));
        table.connection = result.connectionSummary();
        return table;
    }

    /** The changed column: {@code true}/{@code false}, in a dry run {@code would: true}/{@code would: false}; empty when not reported. */
    private static String changed(Reply reply) {
        if (!reply.data().containsKey(Reply.CHANGED)) {
            return "";
        }
        return reply.dryRun() ? "would: " + reply.wouldChange() : String.valueOf(reply.changed());
    }

    /**
     * Replies that arrived after their call gave up, one row each, e.g. "answered after the step gave up: OK at
     * 31.2 s: blocked 192.168.1.1".
     */
    public static HostTable ofLateReplies(List<LateReply> late) {
        HostTable table = new HostTable();
        for (LateReply reply : late) {
            Reply r = reply.reply();
            table.rows.add(new Row(reply.host(), LATE, r.status().toString(),
                    r.data().containsKey("changed") ? String.valueOf(r.changed()) : "",
                    reply.action() + " " + reply.describe() + (r.message().isBlank() ? "" : ": " + r.message()), r.elapsedMs() + " ms"));
        }
        return table;
    }

    /** What happened to the runner's broker connection during the call (see {@link CallResult#connectionSummary()}), or "". */
    public String connection() {
        return connection;
    }

    public List<Row> rows() {
        return rows;
    }

    public List<Row> failures() {
        return rows.stream().filter(row -> !row.ok()).toList();
    }

    public long okCount() {
        return rows.stream().filter(Row::ok).count();
    }

    /** Every row, then what happened to the broker connection, if anything did. */
    public String render() {
        return render(rows) + connectionLine();
    }

    /** Rows that are not OK, then what happened to the broker connection, if anything did. */
    public String renderFailures() {
        return render(failures()) + connectionLine();
    }

    private String connectionLine() {
        return connection.isEmpty() ? "" : "  Broker connection: " + oneLine(connection, 4 * MAX_MESSAGE) + "\n";
    }

    private static String render(List<Row> rows) {
        String[] header = {"host", "result", "status", "changed", "message", "time"};
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        for (Row row : rows) {
            cells.add(new String[]{row.host(), row.result(), row.status(), row.changed(), oneLine(row.message(), MAX_MESSAGE), row.elapsed()});
        }
        int[] widths = new int[header.length];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : cells) {
            out.append("  |");
            for (int i = 0; i < line.length; i++) {
                out.append(' ').append(line[i]).append(" ".repeat(widths[i] - line[i].length())).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String oneLine(String message, int max) {
        String flat = message.replace("\r", "").replace('\n', ' ').replace('|', '/').strip();
        return flat.length() > max ? flat.substring(0, max - 3) + "..." : flat;
    }
}
