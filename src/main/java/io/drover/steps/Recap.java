package io.drover.steps;

import io.drover.report.OutcomeSummary;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What became of each host of a deployment, for the recap at its end: its batch, the last step it took part in, and
 * its outcome: OK, changed (an action changed it), failed (at which step, why) or never started (no step reached it).
 * A failed host keeps its outcome: it took no part in later steps.
 */
final class Recap {
    static final String OK = "OK";
    static final String CHANGED = "changed";
    static final String FAILED = "failed";
    static final String NEVER_STARTED = "never started";

    /** One host's line of the recap. */
    record Row(String host, String batch, String lastStep, String outcome, String detail) {
    }

    private static final class Progress {
        String batch;
        String lastStep;
        boolean changed;
        String failure;

        Progress(String batch) {
            this.batch = batch;
        }
    }

    private final Map<String, Progress> hosts = new TreeMap<>();

    /** Hosts of {@code batch}, e.g. "1 of 1" when there is no batch step, that steps may now reach. */
    void add(Collection<String> identities, String batch) {
        identities.forEach(host -> hosts.putIfAbsent(host, new Progress(batch)));
    }

    /** Puts {@code identities} in {@code batch}, e.g. "2 of 4", when a batch step cuts the hosts into batches. */
    void assign(Collection<String> identities, String batch) {
        identities.forEach(host -> hosts.computeIfAbsent(host, h -> new Progress(batch)).batch = batch);
    }

    boolean isEmpty() {
        return hosts.isEmpty();
    }

    void reached(Collection<String> identities, String step) {
        identities.forEach(host -> progress(host).lastStep = step);
    }

    void changed(Collection<String> identities) {
        identities.forEach(host -> progress(host).changed = true);
    }

    /** Marks {@code host} failed at {@code step}; its first failure is the one the recap names. */
    void failed(String host, String step, String why) {
        Progress progress = progress(host);
        progress.lastStep = step;
        if (progress.failure == null) {
            progress.failure = why;
        }
    }

    boolean hasFailed(String host) {
        Progress progress = hosts.get(host);
        return progress != null && progress.failure != null;
    }

    /** Of {@code identities}, those that failed. */
    SortedSet<String> failedOf(Collection<String> identities) {
        SortedSet<String> failed = new TreeSet<>();
        identities.stream().filter(this::hasFailed).forEach(failed::add);
        return failed;
    }

    SortedSet<String> failed() {
        return failedOf(hosts.keySet());
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        hosts.forEach((host, p) -> rows.add(new Row(host, p.batch, p.lastStep == null ? "-" : p.lastStep,
                p.failure != null ? FAILED : p.lastStep == null ? NEVER_STARTED : p.changed ? CHANGED : OK,
                p.failure != null ? p.failure : "")));
        return rows;
    }

    /** Counts of each outcome, e.g. "3 changed, 1 failed". */
    String counts() {
        Map<String, Integer> counts = new TreeMap<>();
        rows().forEach(row -> counts.merge(row.outcome(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((outcome, count) -> parts.add(String.format(java.util.Locale.ROOT, "%,d %s", count, outcome)));
        return String.join(", ", parts);
    }

    /** The full table, one row per host. */
    String render() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[]{"host", "batch", "last step", "outcome", "why"});
        for (Row row : rows()) {
            cells.add(new String[]{row.host(), row.batch(), row.lastStep(), row.outcome(), row.detail()});
        }
        return Columns.render(cells);
    }

    /** For the console of a large fleet: the counts and the hosts that are not OK or changed, grouped. */
    String summarise() {
        return OutcomeSummary.of(rows(), Row::host, Row::outcome, row -> row.outcome().equals(OK) || row.outcome().equals(CHANGED),
                row -> row.outcome().equals(FAILED) ? "at " + row.lastStep() + ": " + row.detail() : "");
    }

    private Progress progress(String host) {
        return hosts.computeIfAbsent(host, h -> new Progress("-"));
    }
}
