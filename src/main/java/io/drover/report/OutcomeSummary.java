package io.drover.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A large fleet's outcome in a few lines, for the console, where a table of thousands of rows helps nobody: counts of
 * each outcome ("4,998 OK, 2 FAILED"), then one line per group of hosts that share an outcome and message, naming
 * their first hosts. The full per-host table goes to the reports instead. Fleets up to {@link #THRESHOLD} hosts keep
 * their full tables on the console.
 */
public final class OutcomeSummary {
    /** Up to this many hosts a step shows its full per-host table on the console; above it, this summary. */
    public static final int THRESHOLD = 50;
    /** Hosts named per group; the rest are counted. */
    static final int HOSTS_PER_GROUP = 10;
    /** Groups shown; the rest are counted. */
    static final int MAX_GROUPS = 20;
    private static final int MAX_MESSAGE = 160;

    private OutcomeSummary() {
    }

    /** Whether a table of {@code hosts} rows is summarised on the console. */
    public static boolean summarises(int hosts) {
        return hosts > THRESHOLD;
    }

    /** The rows of a {@link HostTable}, OK rows counted, the others grouped by result and message. */
    public static String of(HostTable table) {
        return of(table.rows(), HostTable.Row::host, HostTable.Row::result, HostTable.Row::ok, HostTable.Row::message);
    }

    /**
     * Any rows, e.g. a recap's.
     *
     * @param host    the host a row is about
     * @param outcome what is counted and grouped, e.g. "OK", "FAILED"
     * @param fine    rows that are only counted, never listed
     * @param message what tells rows of one outcome apart, e.g. the error
     */
    public static <T> String of(List<T> rows, Function<T, String> host, Function<T, String> outcome, Predicate<T> fine,
                                Function<T, String> message) {
        // Passing outcomes first, as they come; then the others alphabetically: "4,998 OK, 1 FAILED, 1 NO REPLY".
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Integer> otherCounts = new TreeMap<>();
        // Groups by outcome, then message, in a stable order; each keeps its hosts in row order.
        Map<String, Map<String, List<T>>> groups = new TreeMap<>();
        for (T row : rows) {
            String result = outcome.apply(row);
            if (fine.test(row)) {
                counts.merge(result, 1, Integer::sum);
            } else {
                otherCounts.merge(result, 1, Integer::sum);
                groups.computeIfAbsent(result, r -> new TreeMap<>())
                        .computeIfAbsent(oneLine(message.apply(row)), m -> new ArrayList<>()).add(row);
            }
        }
        otherCounts.forEach((result, count) -> counts.merge(result, count, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((result, count) -> parts.add(number(count) + " " + result));
        StringBuilder out = new StringBuilder(String.join(", ", parts));
        if (groups.isEmpty()) {
            return out.append('\n').toString();
        }
        out.append(":\n");
        int shown = 0;
        int hidden = 0;
        for (Map.Entry<String, Map<String, List<T>>> byResult : groups.entrySet()) {
            for (Map.Entry<String, List<T>> group : byResult.getValue().entrySet()) {
                List<T> members = group.getValue();
                if (shown++ >= MAX_GROUPS) {
                    hidden += members.size();
                    continue;
                }
                List<String> names = new ArrayList<>();
                for (T member : members.subList(0, Math.min(HOSTS_PER_GROUP, members.size()))) {
                    names.add(host.apply(member));
                }
                out.append("  ").append(number(members.size())).append(' ').append(byResult.getKey()).append(": ")
                        .append(group.getKey().isEmpty() ? "(no message)" : group.getKey()).append("\n    ")
                        .append(String.join(", ", names))
                        .append(members.size() > HOSTS_PER_GROUP ? " and " + number(members.size() - HOSTS_PER_GROUP) + " more" : "")
                        .append('\n');
            }
        }
        if (hidden > 0) {
            out.append("  ... and ").append(number(hidden)).append(" more hosts in other groups; see the full table in the report\n");
        }
        return out.toString();
    }

    /** A count as people read it, e.g. "4,998". */
    static String number(int count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    private static String oneLine(String message) {
        String flat = message == null ? "" : message.replace("\r", "").replace('\n', ' ').strip();
        return flat.length() > MAX_MESSAGE ? flat.substring(0, MAX_MESSAGE - 3) + "..." : flat;
    }
}
