package io.drover.client;

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
    private static final int MAX_MESSAGE = 160;

    /** One host's row. */
    public record Row(String host, String result, String status, String changed, String message, String elapsed) {
        public boolean ok() {
            return result.equals(OK);
        }
    }

    private final List<Row> rows = new ArrayList<>();

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
            table.rows.add(new Row(entry.getKey(), outcome, reply.status().toString(),
                    reply.data().containsKey("changed") ? String.valueOf(reply.changed()) : "",
                    problem != null ? problem : reply.message(), reply.elapsedMs() + " ms"));
        }
        result.missing().forEach((host, why) -> table.rows.add(new Row(host, NO_REPLY, "-", "", why, "")));
        result.unexpected().forEach((host, reply) -> table.rows.add(new Row(host, UNEXPECTED, reply.status().toString(),
                "", "answered without being asked: " + reply.message(), reply.elapsedMs() + " ms")));
        table.rows.sort((a, b) -> a.host().compareTo(b.host()));
        return table;
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

    /** Every row. */
    public String render() {
        return render(rows);
    }

    /** Rows that are not OK. */
    public String renderFailures() {
        return render(failures());
    }

    private static String render(List<Row> rows) {
        String[] header = {"host", "result", "status", "changed", "message", "time"};
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        for (Row row : rows) {
            cells.add(new String[]{row.host(), row.result(), row.status(), row.changed(), oneLine(row.message()), row.elapsed()});
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

    private static String oneLine(String message) {
        String flat = message.replace("\r", "").replace('\n', ' ').replace('|', '/').strip();
        return flat.length() > MAX_MESSAGE ? flat.substring(0, MAX_MESSAGE - 3) + "..." : flat;
    }
}
