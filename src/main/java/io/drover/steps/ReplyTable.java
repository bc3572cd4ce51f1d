package io.drover.steps;

import io.drover.client.CallResult;
import io.drover.protocol.Reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The per-host outcome of a step as a text table, one row per host: the report attachment shows every host,
 * the failure message only those that failed or never answered.
 */
final class ReplyTable {
    static final String OK = "OK";
    static final String FAILED = "FAILED";
    static final String MISMATCH = "WRONG STATE";
    static final String NO_REPLY = "NO REPLY";
    static final String UNEXPECTED = "UNEXPECTED";
    private static final int MAX_MESSAGE = 160;

    /** One host's row. */
    record Row(String host, String result, String status, String changed, String message, String elapsed) {
        boolean ok() {
            return result.equals(OK);
        }
    }

    private final List<Row> rows = new ArrayList<>();

    /**
     * @param result    the call's result
     * @param check     for a Then step, the problem with a reply's state, or {@code null} if it is as expected;
     *                  {@code null} for a When step
     * @param anyStatus whether {@code check} alone judges a reply, whatever its status (a check expected to
     *                  fail); otherwise only OK replies can pass
     */
    static ReplyTable of(CallResult result, Function<Reply, String> check, boolean anyStatus) {
        ReplyTable table = new ReplyTable();
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

    List<Row> rows() {
        return rows;
    }

    List<Row> failures() {
        return rows.stream().filter(row -> !row.ok()).toList();
    }

    long okCount() {
        return rows.stream().filter(Row::ok).count();
    }

    /** Every row. */
    String render() {
        return render(rows);
    }

    /** Rows that are not OK. */
    String renderFailures() {
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
