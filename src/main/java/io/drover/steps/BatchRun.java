package io.drover.steps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A scenario's rollout in batches: the batches cut from its hosts, the steps after the batch step that run once per
 * batch, and what each of those steps did in each batch (its reports, and its failure), so that when Cucumber
 * reaches the step itself it can report that instead of running it again.
 */
final class BatchRun {
    /** At most this many hosts are named in a batch's label; a larger batch is named by its first and last. */
    static final int NAMED_HOSTS = 3;

    /** One batch: its number (from 1), how many batches there are, and its hosts in sorted order. */
    record Batch(int number, int of, List<String> hosts) {
        /** As the recap names it, e.g. "2 of 4". */
        String label() {
            return number + " of " + of;
        }

        /** As reports name it, e.g. "batch 2 of 4 (dev3…, dev4…)". */
        String named() {
            List<String> shown = hosts.size() <= NAMED_HOSTS ? hosts.stream().map(BatchRun::shortName).toList()
                    : List.of(shortName(hosts.get(0)), "…", shortName(hosts.get(hosts.size() - 1)) + ": " + hosts.size() + " hosts");
            return "batch " + label() + " (" + String.join(", ", shown) + ")";
        }
    }

    /** A step after the batch step: its position among the scenario's steps, its line and its definition. */
    record Planned(int index, ScenarioSteps.StepLine step, StepLibrary.Match match) {
    }

    /** What one step did in one batch: its reports as attached, and its failure or {@code null}. */
    record Outcome(Batch batch, List<String> reports, String failure) {
    }

    /** Where the rollout halted: the batch and step whose failure went over the budget, and why. */
    record Halt(Batch batch, Planned step, String message) {
    }

    private final List<Batch> batches;
    private final List<Planned> steps;
    private final Map<Integer, List<Outcome>> outcomes = new TreeMap<>();
    private Batch batch;
    private Planned step;
    private List<String> reports;
    private Halt halt;
    private boolean replaying;
    private final SortedSet<Integer> reported = new TreeSet<>();

    BatchRun(List<List<String>> cut, List<Planned> steps) {
        List<Batch> made = new ArrayList<>();
        for (int i = 0; i < cut.size(); i++) {
            made.add(new Batch(i + 1, cut.size(), List.copyOf(cut.get(i))));
        }
        this.batches = List.copyOf(made);
        this.steps = List.copyOf(steps);
    }

    List<Batch> batches() {
        return batches;
    }

    List<Planned> steps() {
        return steps;
    }

    /** The batch whose steps run now, or {@code null} before and after the run. */
    Batch current() {
        return batch;
    }

    /** The step running now in the current batch, or {@code null} between steps. */
    Planned currentStep() {
        return step;
    }

    void startBatch(Batch next) {
        batch = next;
    }

    void startStep(Planned next) {
        step = next;
        reports = new ArrayList<>();
    }

    /** The name of the running step's reports, e.g. "batch 2 of 4 (dev3…, dev4…): When I update the package mywebapp". */
    String reportName() {
        return batch.named() + ": " + step.step().named();
    }

    /** Keeps a report the running step attached, to attach it again when Cucumber reaches the step. */
    void record(String report) {
        if (reports != null) {
            reports.add(report);
        }
    }

    void endStep(String failure) {
        outcomes.computeIfAbsent(step.index(), i -> new ArrayList<>()).add(new Outcome(batch, List.copyOf(reports), failure));
        if (failure != null) {
            halt = new Halt(batch, step, failure);
        }
        step = null;
        reports = null;
    }

    /** Ends the run: from now on the steps are reported, not run. */
    void finish() {
        batch = null;
        replaying = true;
    }

    boolean replaying() {
        return replaying;
    }

    Halt halt() {
        return halt;
    }

    /** Whether the step at {@code index} (from 0, background included) is one this run ran per batch. */
    boolean planned(int index) {
        return steps.stream().anyMatch(planned -> planned.index() == index);
    }

    /** Marks the step at {@code index} reported; false if it already was. */
    boolean markReported(int index) {
        return reported.add(index);
    }

    List<Outcome> outcomes(int index) {
        return outcomes.getOrDefault(index, Collections.emptyList());
    }

    /** The batches that never started because the rollout halted. */
    List<Batch> neverStarted() {
        return halt == null ? List.of() : batches.subList(halt.batch().number(), batches.size());
    }

    private static String shortName(String host) {
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) + "…" : host;
    }
}
