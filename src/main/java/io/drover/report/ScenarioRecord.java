package io.drover.report;

import io.drover.client.CallResult;
import io.drover.client.Discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one deploy scenario did to every host, for the fleet report: its discovery, its batches, and per step each
 * host's {@link Outcome}, when it answered and what it said; at its end, each host's outcome. Filled by the scenario's
 * steps (one thread at a time), then handed to the run's {@link RunReport}. Hosts' words are kept as hostile text:
 * bounded here, escaped where they are shown.
 */
public final class ScenarioRecord {
    /** The longest message kept per host and step; a node may say far more. */
    static final int MAX_MESSAGE = 500;
    /** Facts kept per host, and the longest fact name and value: enough to search by, small at 5,000 hosts. */
    static final int MAX_FACTS = 40;
    static final int MAX_FACT_NAME = 64;
    static final int MAX_FACT_VALUE = 120;

    /** One host's answer to one call. {@code answeredMs} is {@code null} when it has no arrival time. */
    record Cell(String host, Outcome outcome, String result, String status, String message, Double answeredMs, Long nodeMs) {
    }

    /** One call of a step, in one batch (the whole scenario's hosts without a batch step). */
    record StepCall(String batch, String action, long startedMs, long elapsedMs, List<Cell> cells) {
    }

    /** One step of the scenario, in the order they run, with the calls it made (none for a setting or a step never run). */
    static final class Step {
        final String name;
        boolean ran;
        final List<StepCall> calls = new ArrayList<>();

        Step(String name) {
            this.name = name;
        }
    }

    /** A host's line at the scenario's end. */
    public record HostLine(String host, String batch, String lastStep, Outcome outcome, String message) {
    }

    /** The discovery cross-check: who had to answer, who did, who is missing. */
    record DiscoveryCheck(String filter, String expectedFrom, long elapsedMs, String ended, Integer registered, int answered,
                          SortedMap<String, String> missing, SortedMap<String, String> refused, SortedSet<String> unregistered) {
    }

    final String name;
    final String feature;
    final int line;
    final boolean dryRun;
    final Instant started;
    private final long startedNanos;
    final List<Step> steps = new ArrayList<>();
    final Map<String, List<String>> batches = new LinkedHashMap<>();
    final SortedMap<String, SortedMap<String, String>> facts = new TreeMap<>();
    DiscoveryCheck discovery;
    final List<HostLine> hosts = new ArrayList<>();
    String status = "running";
    long elapsedMs;
    String rerun;
    /** Each host's first failing outcome, made when the recap first asks; dropped when a call is added. */
    private Map<String, Outcome> firstFailures;

    /**
     * @param name    the scenario's name
     * @param feature its feature file, as Cucumber names it
     * @param line    its line there
     * @param steps   its steps in order, background included ("When I block the load balancer"); more are added as
     *                they run when this is empty (a feature that cannot be read again)
     * @param dryRun  whether the run is a dry run
     */
    public ScenarioRecord(String name, String feature, int line, List<String> steps, boolean dryRun) {
        this.name = Objects.requireNonNull(name);
        this.feature = Objects.requireNonNull(feature);
        this.line = line;
        this.dryRun = dryRun;
        this.started = Instant.now();
        this.startedNanos = System.nanoTime();
        steps.forEach(step -> this.steps.add(new Step(step)));
    }

    /** Cucumber started the step at {@code index} (from 0, background included). */
    public void stepStarted(int index) {
        if (index >= 0 && index < steps.size()) {
            steps.get(index).ran = true;
        }
    }

    /** The hosts discovery found, the cross-check against the registry or host list, and the facts registered. */
    public void discovery(Discovery found) {
        Integer registered = null;
        if (found.expectedFrom() != null) {
            SortedSet<String> expected = new TreeSet<>(found.identities());
            expected.addAll(found.refused().keySet());
            expected.removeAll(found.unknown());
            expected.addAll(found.missing().keySet());
            registered = expected.size();
        }
        discovery = new DiscoveryCheck(found.filter().describe(), found.expectedFrom(), found.elapsed().toMillis(),
                found.ended().description(), registered, found.identities().size(), bounded(found.missing()), bounded(found.refused()),
                new TreeSet<>(found.unknown()));
        found.facts().forEach((host, known) -> {
            SortedMap<String, String> flat = new TreeMap<>();
            flatten("", known, flat);
            facts.put(host, flat);
        });
    }

    /** A batch of the rollout, e.g. "2 of 4", and its hosts. */
    public void batch(String label, Collection<String> batchHosts) {
        batches.put(label, List.copyOf(batchHosts));
    }

    /**
     * One call of the step at {@code index}, named {@code step}: each host's row of {@code table}, plus {@code skipped}
     * hosts of the batch that took no part (they failed an earlier step).
     *
     * @param batch      the batch's label, or {@code null} without a batch step
     * @param startedAt  {@link System#nanoTime()} when the step began
     * @param result     the call, for its action, duration and arrival times
     */
    public void call(int index, String step, String batch, long startedAt, CallResult result, HostTable table,
                     Collection<String> skipped) {
        call(index, step, batch, startedAt, result.qualifiedAction(), result.elapsed(), table.rows(), result.answeredAt(), skipped);
    }

    /**
     * Like {@link #call(int, String, String, long, CallResult, HostTable, Collection)} from rows and arrival times,
     * e.g. a health gate's last answers and when each host passed.
     */
    public void call(int index, String step, String batch, long startedAt, String action, Duration elapsed, List<HostTable.Row> rows,
                     Map<String, Duration> answeredAt, Collection<String> skipped) {
        List<Cell> cells = new ArrayList<>();
        for (HostTable.Row row : rows) {
            Duration at = answeredAt.get(row.host());
            cells.add(new Cell(row.host(), Outcome.of(row, dryRun), row.result(), row.status(), bounded(row.message()),
                    at == null ? null : at.toNanos() / 1_000_000.0, nodeMs(row.elapsed())));
        }
        for (String host : new TreeSet<>(skipped)) {
            cells.add(new Cell(host, Outcome.SKIPPED, "SKIPPED", "-", "took no part: it failed an earlier step", null, null));
        }
        firstFailures = null;
        stepAt(index, step).calls.add(new StepCall(batch, action, (startedAt - startedNanos) / 1_000_000,
                elapsed.toMillis(), cells));
    }

    /**
     * Ends the record: the scenario's status ("passed", "failed"), each host's line (outcome as the recap says: OK,
     * changed, failed, never started), and the command that reruns its failed hosts, or {@code null}.
     */
    public void end(String scenarioStatus, List<HostLine> lines, String rerunCommand) {
        status = Objects.requireNonNull(scenarioStatus);
        elapsedMs = (System.nanoTime() - startedNanos) / 1_000_000;
        rerun = rerunCommand;
        hosts.clear();
        hosts.addAll(lines);
        // Hosts that never got past discovery are the ones needing attention first.
        if (discovery != null) {
            SortedSet<String> known = new TreeSet<>();
            lines.forEach(host -> known.add(host.host()));
            discovery.missing().forEach((host, why) -> {
                if (known.add(host)) {
                    hosts.add(new HostLine(host, "-", "discovery", Outcome.NO_REPLY, why));
                }
            });
            discovery.refused().forEach((host, why) -> {
                if (known.add(host)) {
                    hosts.add(new HostLine(host, "-", "discovery", Outcome.REFUSED, why));
                }
            });
        }
        hosts.sort((a, b) -> a.host().compareTo(b.host()));
    }

    /**
     * A host's line from the recap's words: "failed" becomes the outcome of the call it failed in (failed, refused, no
     * reply), "never started" is skipped, and in a dry run OK and changed are dry-run answers.
     */
    public HostLine host(String host, String batch, String lastStep, String recapOutcome, String message) {
        Outcome outcome = switch (recapOutcome) {
            case "failed" -> failure(host);
            case "never started" -> Outcome.SKIPPED;
            case "changed" -> dryRun ? Outcome.DRY_RUN : Outcome.CHANGED;
            default -> dryRun ? Outcome.DRY_RUN : Outcome.OK;
        };
        return new HostLine(host, batch, lastStep, outcome, bounded(message));
    }

    /** How {@code host} first failed: the first call in which it did not pass. */
    private Outcome failure(String host) {
        if (firstFailures == null) {
            // Once for every host, not once per host: thousands of failed hosts each looking through every cell would be slow.
            firstFailures = new java.util.HashMap<>();
            for (Step step : steps) {
                for (StepCall call : step.calls) {
                    for (Cell cell : call.cells()) {
                        if (cell.outcome().needsAttention()) {
                            firstFailures.putIfAbsent(cell.host(), cell.outcome());
                        }
                    }
                }
            }
        }
        return firstFailures.getOrDefault(host, Outcome.FAILED);
    }

    /** Counts of each outcome over the scenario's hosts. */
    Map<Outcome, Integer> counts() {
        Map<Outcome, Integer> counts = new LinkedHashMap<>();
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome, 0);
        }
        hosts.forEach(host -> counts.merge(host.outcome(), 1, Integer::sum));
        return counts;
    }

    private Step stepAt(int index, String step) {
        if (index >= 0 && index < steps.size()) {
            return steps.get(index);
        }
        // A step this record did not know (the feature could not be read again): the last one of that name, or a new one.
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).name.equals(step)) {
                return steps.get(i);
            }
        }
        Step added = new Step(step);
        added.ran = true;
        steps.add(added);
        return added;
    }

    /** "12 ms" as the host table shows a node's time, or {@code null}. */
    private static Long nodeMs(String elapsed) {
        if (elapsed == null || !elapsed.endsWith(" ms")) {
            return null;
        }
        try {
            return Long.parseLong(elapsed.substring(0, elapsed.length() - 3));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static SortedMap<String, String> bounded(SortedMap<String, String> map) {
        SortedMap<String, String> copy = new TreeMap<>();
        map.forEach((key, value) -> copy.put(key, bounded(value)));
        return copy;
    }

    static String bounded(String text) {
        return cut(text == null ? "" : text, MAX_MESSAGE);
    }

    private static String cut(String text, int max) {
        return text.length() > max ? text.substring(0, max - 1) + "…" : text;
    }

    /** Facts as "os.family" → "RedHat", bounded in number and length; lists as their items joined by commas. */
    private static void flatten(String prefix, Map<?, ?> map, SortedMap<String, String> flat) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (flat.size() >= MAX_FACTS) {
                return;
            }
            String key = cut(prefix + entry.getKey(), MAX_FACT_NAME);
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested && prefix.length() < MAX_FACT_NAME) {
                flatten(key + ".", nested, flat);
            } else if (value instanceof Collection<?> items) {
                flat.put(key, cut(String.join(",", items.stream().map(String::valueOf).toList()), MAX_FACT_VALUE));
            } else {
                flat.put(key, cut(String.valueOf(value), MAX_FACT_VALUE));
            }
        }
    }
}
