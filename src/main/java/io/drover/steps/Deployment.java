package io.drover.steps;

import io.cucumber.java.Scenario;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.Discovery;
import io.drover.fleet.HostList;
import io.drover.client.DiscoveryOptions;
import io.drover.client.DroverClient;
import io.drover.report.HostTable;
import io.drover.client.LateReply;
import io.drover.report.OutcomeSummary;
import io.drover.report.RunReport;
import io.drover.report.ScenarioRecord;
import io.drover.fleet.HostSelection;
import io.drover.filter.Filter;
import io.drover.protocol.Reply;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The state of one deploy scenario: which hosts it is for (filters, pre-discovery, expected count), how long a
 * step may take, and the load balancer. Steps run actions through {@link #act} and verify state through
 * {@link #check}; both pass only when every expected host answered as required, and attach the per-host
 * table to the report.
 *
 * <p>A {@link FailureBudget} lets some hosts of a batch fail: they drop out of the later steps and the rollout goes
 * on; any failed host still fails the scenario at its end, after the recap ({@link Recap}) and the rerun file
 * ({@link RerunFile}). While a {@code within} step runs, {@link #check} waits ({@link HealthGate}). A batch step
 * ({@link #inBatches}) runs the scenario's later steps once per batch; without one the batch is every discovered host.
 *
 * <p>In a dry run ({@code -Ddrover.dry-run=true}) every request goes out as one, {@link #act} reports what each host would
 * do, and {@link #check} checks the state the When steps before it predicted ({@link DryRun}); every summary, table and
 * the recap say DRY RUN, and the rerun file is left alone.
 *
 * <p>One per scenario, made by Cucumber's dependency injection (cucumber-picocontainer): a step class, Drover's or
 * your own, receives the scenario's deployment by declaring it as a constructor parameter. Scenarios running in
 * parallel each have their own; they share only the {@link DroverSession}.
 */
public final class Deployment {
    private static final Logger LOG = LoggerFactory.getLogger("io.drover.steps");

    private Scenario scenario;
    private DroverSession session;
    private Filter filter = Filter.all();
    private Integer expectedCount;
    private SortedSet<String> listedHosts;
    private String listSource;
    private SortedSet<String> hosts;
    private Duration stepTimeout;
    private String loadBalancer;
    /** The deploy lock of the discovered hosts, held until the scenario ends. */
    private final ScenarioLock lock = new ScenarioLock();
    /** The requests of this scenario's steps, to find their late replies. */
    private final Set<String> requestIds = new HashSet<>();
    /** Hosts of this scenario's steps that were reachable but did not answer in time, counted per step. */
    private int timedOut;
    /** How long the end of a scenario waits for the late replies of hosts its steps gave up on. */
    static final Duration LATE_REPLY_WAIT = Duration.ofSeconds(5);
    /** How often a {@code within} step asks again, unless {@code I retry checks every N seconds}. */
    static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(5);
    /** The most batches a batch step's plan names one by one. */
    static final int PLAN_LINES = 50;
    /** The batch every host is in when the feature has no batch step. */
    static final String ONLY_BATCH = "1 of 1";

    private FailureBudget budget = FailureBudget.NONE;
    private Duration retryInterval = DEFAULT_RETRY_INTERVAL;
    /** The limit of the {@code within} step running now, or {@code null}. */
    private Duration gateLimit;
    private boolean gateUsed;
    private final Recap recap = new Recap();
    /** In a dry run, what the When steps predicted, for the Then steps to check. */
    private final DryRun dryRun = new DryRun();
    /** The rollout in batches, once a batch step ran; see {@link #inBatches}. */
    private BatchRun batchRun;
    /** How many steps of the scenario Cucumber has started, background included (the running one is the last). */
    private int stepsStarted;
    /** Whether a step asked the hosts to act or checked them: a batch step must come before. */
    private boolean acted;
    /** What this scenario did to each host, for the run's fleet report ({@link ReportFiles}). */
    private ScenarioRecord record;

    /** Made by Cucumber for each scenario; {@link DeploymentHooks} starts it before the scenario's first step. */
    public Deployment() {
    }

    /** Starts the deployment of {@code scenario} on {@code session}. */
    void begin(Scenario scenario, DroverSession session) {
        this.scenario = Objects.requireNonNull(scenario);
        this.session = Objects.requireNonNull(session);
        this.stepTimeout = session.client().options().callTimeout();
        List<String> steps;
        try {
            steps = ScenarioSteps.of(scenario.getUri(), scenario.getLine()).stream().map(ScenarioSteps.StepLine::named).toList();
        } catch (AssertionError | RuntimeException e) {
            // The report then lists the steps as they call hosts; a feature that cannot be read again is no reason to stop.
            LOG.debug("Cannot read the steps of {} again for the fleet report: {}", scenario.getUri(), e.toString());
            steps = List.of();
        }
        record = new ScenarioRecord(scenario.getName(), ReportFiles.featureName(scenario.getUri()), scenario.getLine(), steps,
                session.config().dryRun());
        // The run's report begins with its first scenario, so its start is the run's.
        ReportFiles.of(session);
    }

    /**
     * Attaches a "late replies" table when hosts answered a step of this scenario after it gave up, so the report
     * says what those hosts did in the end (e.g. "answered after the step gave up: OK at 31.2 s": an action that
     * ran after all changed the host). A step that gave up fails the scenario at once, so the answers are waited
     * for here, up to {@link #LATE_REPLY_WAIT}, and only for hosts that were reachable but slow.
     */
    void attachLateReplies() {
        List<LateReply> late = lateReplies();
        try {
            long deadline = System.nanoTime() + LATE_REPLY_WAIT.toNanos();
            while (late.size() < timedOut && System.nanoTime() - deadline < 0) {
                Thread.sleep(50);
                late = lateReplies();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!late.isEmpty()) {
            LOG.info("{} host(s) answered after their step gave up; see the late replies table", late.size());
            scenario.attach(late.size() + " late repl" + (late.size() == 1 ? "y" : "ies")
                    + " (hosts that answered after their step gave up):\n" + HostTable.ofLateReplies(late).render(),
                    "text/plain", "late replies");
        }
    }

    private List<LateReply> lateReplies() {
        return client().lateReplyRecords().stream().filter(r -> requestIds.contains(r.requestId())).toList();
    }

    /**
     * Ends the scenario: attaches the replies its steps gave up on that came in since, prints and attaches the recap,
     * writes the rerun file, and fails the scenario if any host failed, even within the failure budget, so the run's
     * exit code says so; then releases the deploy lock.
     */
    void end() {
        try {
            finish();
        } finally {
            // After the late replies and the recap: until then hosts may still be acting on this scenario's requests.
            lock.release();
        }
    }

    private void finish() {
        if (session == null) {
            return;
        }
        attachLateReplies();
        if (recap.isEmpty()) {
            fleetReport(new TreeSet<>(), null);
            return;
        }
        SortedSet<String> failed = recap.failed();
        String title = String.format(java.util.Locale.ROOT, "%sRecap of %,d host%s: %s", dryRunning() ? DryRun.LABEL
                        + " (nothing was changed; 'changed' means 'would change'): " : "", recap.rows().size(), recap.rows().size() == 1 ? "" : "s",
                recap.counts());
        LOG.info(title);
        // Text attachments are printed by the console formatters as well as kept in the reports.
        if (OutcomeSummary.summarises(recap.rows().size())) {
            scenario.attach(String.format(java.util.Locale.ROOT, "Recap of %,d hosts: %sThe full recap is attached to the report.",
                    recap.rows().size(), recap.summarise()), "text/plain", "recap (summary)");
            scenario.attach((title + "\n" + recap.render()).getBytes(StandardCharsets.UTF_8), "text/plain", "recap");
        } else {
            scenario.attach(title + "\n" + recap.render(), "text/plain", "recap");
        }
        Path rerun = null;
        try {
            // A dry run changed nothing, so the hosts of the last real run remain the ones to rerun.
            rerun = dryRunning() ? null : RerunFile.record(session, failed);
        } catch (java.io.IOException | RuntimeException e) {
            fleetReport(failed, null);
            throw new AssertionError("Cannot write " + RerunFile.PATH + " (" + e.getMessage() + "); the failed hosts are: "
                    + String.join(", ", failed), e);
        }
        fleetReport(failed, rerun);
        if (!failed.isEmpty() && !scenario.isFailed()) {
            StringBuilder named = new StringBuilder();
            int left = failed.size();
            for (Recap.Row row : recap.rows()) {
                if (row.outcome().equals(Recap.FAILED) && named.length() < 8_000) {
                    named.append("  ").append(row.host()).append(" at '").append(row.lastStep()).append("': ").append(row.detail()).append('\n');
                    left--;
                }
            }
            if (left > 0) {
                named.append("  ... and ").append(left).append(" more (see the recap and ").append(RerunFile.PATH).append(")\n");
            }
            throw new AssertionError((dryRunning() ? DryRun.LABEL + ": " : "") + failed.size() + " host" + (failed.size() == 1 ? "" : "s") + " failed within the failure budget, "
                    + "so every step passed, but the deploy did not reach " + (failed.size() == 1 ? "it" : "them") + ":\n" + named
                    + "Fix " + (failed.size() == 1 ? "it" : "them") + (rerun == null ? " and run the " + DryRun.LABEL.toLowerCase(java.util.Locale.ROOT)
                    + " again (it leaves " + RerunFile.PATH + " alone)." : " and deploy to " + (failed.size() == 1 ? "it" : "them")
                    + " alone with -D" + io.drover.runner.Constants.HOSTS_PROPERTY_NAME + "=@" + rerun + "."));
        }
    }

    /**
     * Ends this scenario's record and writes the run's fleet report, linked from the Cucumber report. A report that cannot be
     * written is said in the log and the report, and does not change the deploy's outcome.
     */
    private void fleetReport(SortedSet<String> failed, Path rerun) {
        List<ScenarioRecord.HostLine> lines = new ArrayList<>();
        for (Recap.Row row : recap.rows()) {
            lines.add(record.host(row.host(), row.batch(), row.lastStep(), row.outcome(), row.detail()));
        }
        String feature = ReportFiles.featureName(scenario.getUri());
        record.end(scenario.isFailed() || !failed.isEmpty() ? "failed" : "passed", lines, rerun == null ? null
                : "./mvnw verify -Dcucumber.features=" + feature + " -D" + io.drover.runner.Constants.HOSTS_PROPERTY_NAME + "=@" + rerun);
        try {
            RunReport report = ReportFiles.record(session, record);
            String link = report.html().toAbsolutePath().toUri().toString();
            LOG.info("Fleet report: {} (data: {})", link, report.json());
            scenario.attach(link, "text/uri-list", "fleet report");
            scenario.log("Fleet report of this run: " + link + " (data: " + report.json() + ")");
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("Cannot write the fleet report in {}: {}. Check that the directory is writable; the Cucumber report still "
                    + "has every step's table", ReportFiles.DIRECTORY.toAbsolutePath(), e.toString());
            scenario.log("Cannot write the fleet report in " + ReportFiles.DIRECTORY.toAbsolutePath() + ": " + e
                    + ". Check that the directory is writable; every step's table is still attached here.");
        }
    }

    /** The index (from 0, background included) and name of the step whose call runs now, for the fleet report. */
    private int reportIndex() {
        if (batchRun != null && batchRun.current() != null && batchRun.currentStep() != null) {
            return batchRun.currentStep().index();
        }
        return stepsStarted - 1;
    }

    private String reportBatch() {
        return batchRun != null && batchRun.current() != null ? batchRun.current().label() : null;
    }

    public DroverClient client() {
        return started().client();
    }

    private DroverSession started() {
        if (session == null) {
            throw new IllegalStateException("No Drover scenario is running; add io.drover.steps to the Cucumber glue");
        }
        return session;
    }

    /** Narrows the hosts to those also matching {@code more}; only before discovery. */
    public void addFilter(Filter more) {
        if (hosts != null) {
            throw new AssertionError("Filters must come before the hosts are discovered; move the step '" + more.describe()
                    + "' above 'I want to pre-discover how many hosts to update'");
        }
        filter = filter.and(more);
    }

    public Filter filter() {
        return filter;
    }

    /** Expects exactly {@code count} hosts: checked now if already discovered, else when discovering. */
    public void expectHosts(int count) {
        expectedCount = count;
        if (hosts != null) {
            requireExpectedCount();
        }
    }

    /** Expects exactly the hosts in {@code file} (one identity per line) to answer discovery, instead of the registry. */
    public void expectHostsListed(java.nio.file.Path file) {
        if (hosts != null) {
            throw new AssertionError("The host list must come before the hosts are discovered; move the step naming " + file
                    + " above 'I want to pre-discover how many hosts to update'");
        }
        try {
            listedHosts = HostList.read(file);
        } catch (java.io.IOException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        listSource = file.toString();
    }

    public void stepTimeout(Duration timeout) {
        stepTimeout = Objects.requireNonNull(timeout);
    }

    public Duration stepTimeout() {
        started();
        return stepTimeout;
    }

    /** Lets up to {@code budget} hosts of each batch fail before the rollout halts; from the next step on. */
    void failureBudget(FailureBudget budget) {
        this.budget = Objects.requireNonNull(budget);
    }

    /** How often a {@code within} step asks the hosts not yet in the stated state again. */
    void retryInterval(Duration interval) {
        retryInterval = Objects.requireNonNull(interval);
    }

    /**
     * Runs {@code thenStep}, a Then step, as a health gate: its {@link #check} asks again the hosts not yet in the
     * stated state until all are, or {@code limit} has passed.
     */
    void within(Duration limit, String step, Runnable thenStep) {
        if (replayed()) {
            return;
        }
        if (gateLimit != null) {
            throw new AssertionError("'within' cannot be nested: " + step);
        }
        gateLimit = Objects.requireNonNull(limit);
        gateUsed = false;
        try {
            thenStep.run();
            if (!gateUsed) {
                throw new AssertionError("'" + step + "' checked no host, so 'within' has nothing to wait for; use it with a Then step "
                        + "that checks the hosts' state");
            }
        } finally {
            gateLimit = null;
        }
    }

    /** Pauses the scenario; a step the batch step already ran in every batch does not pause again. */
    void pause(Duration wait) throws InterruptedException {
        if (replayed()) {
            return;
        }
        DroverSession.requireRunning();
        Thread.sleep(wait.toMillis());
    }

    /** Cucumber starts the next step of the scenario (a before-step hook): counts it, to know which step runs. */
    void stepStarted() {
        stepsStarted++;
        if (record != null) {
            record.stepStarted(stepsStarted - 1);
        }
    }

    /**
     * Cucumber ended a step (an after-step hook): a step the batch step ran that reached none of the calls that report
     * it (a setting step) is reported here.
     */
    void stepEnded() {
        replayed();
    }

    /**
     * Runs the scenario's steps after the running batch step once per batch of {@code sizes}, each batch's steps as a
     * whole before the next batch starts, the way Ansible's {@code serial} runs a play; see docs/architecture.md.
     *
     * <p>Every later step must be one of {@code library}'s (Drover's own), so that it can be called here; a step that
     * chooses hosts must come before. Within a batch the failure budget applies to the batch's hosts; a failure over it
     * halts the rollout: the rest of the batch and every later batch never start. When Cucumber then reaches each step
     * itself, the step reports what it did in each batch and fails if it failed in one, naming the batch.
     *
     * @param stepText the batch step's own text, to find it among the scenario's steps
     * @param refused  the definitions that may not follow a batch step (those that choose hosts), and why
     */
    void inBatches(BatchSizes sizes, StepLibrary library, String stepText, Function<StepLibrary.Definition, String> refused) {
        started();
        if (batchRun != null) {
            throw new AssertionError("A scenario has one batch step; remove '" + stepText + "' or the other one");
        }
        if (acted) {
            throw new AssertionError("'" + stepText + "' must come before the first step that acts on or checks hosts; move it right "
                    + "after 'I want to pre-discover how many hosts to update'");
        }
        List<ScenarioSteps.StepLine> lines = ScenarioSteps.of(scenario.getUri(), scenario.getLine());
        int at = stepsStarted - 1;
        if (at < 0 || at >= lines.size() || !lines.get(at).text().equals(stepText)) {
            throw new AssertionError("Cannot find '" + stepText + "' as step " + (at + 1) + " of " + scenario.getUri() + " line "
                    + scenario.getLine() + "; the feature file changed while it ran, or io.drover.steps.DeploymentHooks is not in the glue");
        }
        List<BatchRun.Planned> planned = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = at + 1; i < lines.size(); i++) {
            ScenarioSteps.StepLine line = lines.get(i);
            List<StepLibrary.Match> matches = library.matches(line.text());
            String where = "line " + line.line() + ": '" + line.named() + "'";
            if (line.argument()) {
                problems.add(where + " has a doc string or data table, which no Drover step takes");
            } else if (matches.isEmpty()) {
                problems.add(where + " is not one of Drover's steps (io.drover.steps), so the batch step cannot run it once per batch;"
                        + " move it above the batch step, or write it with Drover's steps");
            } else if (matches.size() > 1) {
                problems.add(where + " matches several of Drover's steps: " + String.join(", ", matches.stream()
                        .map(match -> match.definition().expression().getSource()).toList()));
            } else if (refused.apply(matches.get(0).definition()) != null) {
                problems.add(where + " " + refused.apply(matches.get(0).definition()));
            } else {
                planned.add(new BatchRun.Planned(i, line, matches.get(0)));
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("'" + stepText + "' runs the steps after it once per batch, and cannot run these:\n  "
                    + String.join("\n  ", problems) + "\nNothing was changed.");
        }
        SortedSet<String> all = hosts();
        BatchRun run = new BatchRun(sizes.cut(all), planned);
        for (BatchRun.Batch batch : run.batches()) {
            recap.assign(batch.hosts(), batch.label());
            record.batch(batch.label(), batch.hosts());
        }
        String plan = String.format(java.util.Locale.ROOT, "%d batch%s of %s over %,d host%s, %d step%s each:%n", run.batches().size(),
                run.batches().size() == 1 ? "" : "es", sizes.describe(), all.size(), all.size() == 1 ? "" : "s", planned.size(),
                planned.size() == 1 ? "" : "s");
        StringBuilder planText = new StringBuilder(plan);
        // Batches of 1 over thousands of hosts would be thousands of lines: name the first ones and the last.
        List<BatchRun.Batch> named = run.batches().size() <= PLAN_LINES ? run.batches() : run.batches().subList(0, PLAN_LINES - 1);
        named.forEach(batch -> planText.append("  ").append(batch.named()).append(": ").append(batch.hosts().size())
                .append(" host").append(batch.hosts().size() == 1 ? "" : "s").append('\n'));
        if (named.size() < run.batches().size()) {
            BatchRun.Batch last = run.batches().get(run.batches().size() - 1);
            planText.append("  ... ").append(run.batches().size() - named.size() - 1).append(" more, and ").append(last.named())
                    .append(": ").append(last.hosts().size()).append(" host").append(last.hosts().size() == 1 ? "" : "s").append('\n');
        }
        LOG.info(plan.strip());
        scenario.attach(labelled(planText.toString()), "text/plain", "batches");
        batchRun = run;
        try {
            runBatches(run);
        } finally {
            run.finish();
        }
        BatchRun.Halt halt = run.halt();
        if (halt == null) {
            scenario.attach(labelled("Every batch ran every step; each step below reports its batches."), "text/plain", "batches ran");
        } else {
            String note = "The rollout halted at '" + halt.step().step().named() + "' in " + halt.batch().named() + "; "
                    + notStarted(run) + " That step fails below, naming the batch; the steps after it are skipped.";
            LOG.warn(note);
            scenario.attach(labelled(note), "text/plain", "rollout halted");
        }
    }

    /** {@code text}, marked as a dry run's when this is one: every table and note of a dry run says so first. */
    private String labelled(String text) {
        return dryRunning() ? DryRun.LABEL + ": " + text : text;
    }

    private void runBatches(BatchRun run) {
        for (BatchRun.Batch batch : run.batches()) {
            LOG.info("Starting {}", batch.named());
            run.startBatch(batch);
            for (BatchRun.Planned step : run.steps()) {
                run.startStep(step);
                String failure = null;
                try {
                    step.match().run();
                } catch (AssertionError | RuntimeException e) {
                    failure = e.getMessage() != null ? e.getMessage() : e.toString();
                } catch (Error e) {
                    run.endStep(e.toString());
                    throw e;
                }
                run.endStep(failure);
                if (failure != null) {
                    LOG.warn("{}: '{}' failed; the rollout halts", batch.named(), step.step().named());
                    return;
                }
            }
        }
    }

    /** Says which batches never started, and that their hosts are unchanged. */
    private static String notStarted(BatchRun run) {
        List<BatchRun.Batch> never = run.neverStarted();
        if (never.isEmpty()) {
            return "it was the last batch.";
        }
        int hostCount = never.stream().mapToInt(batch -> batch.hosts().size()).sum();
        String batches = never.size() == 1 ? "batch " + never.get(0).label()
                : "batches " + never.get(0).number() + " to " + never.get(never.size() - 1).label();
        return String.format(java.util.Locale.ROOT, "%s never started: %s %,d host%s %s unchanged (see the recap).", batches,
                never.size() == 1 ? "its" : "their", hostCount, hostCount == 1 ? "" : "s", hostCount == 1 ? "is" : "are");
    }

    /**
     * Whether the running step is one the batch step already ran in its batches: then it is not run again; the first
     * time, it reports what it did in each batch, and fails if it failed in one.
     */
    private boolean replayed() {
        BatchRun run = batchRun;
        int index = stepsStarted - 1;
        if (run == null || !run.replaying() || !run.planned(index)) {
            return false;
        }
        if (run.markReported(index)) {
            reportBatches(run, index);
        }
        return true;
    }

    private void reportBatches(BatchRun run, int index) {
        BatchRun.Planned step = run.steps().stream().filter(planned -> planned.index() == index).findFirst().orElseThrow();
        List<BatchRun.Outcome> outcomes = run.outcomes(index);
        String named = step.step().named();
        StringBuilder overview = new StringBuilder(String.format(java.util.Locale.ROOT, "%s ran in %d of %d batch%s:%n", named,
                outcomes.size(), run.batches().size(), run.batches().size() == 1 ? "" : "es"));
        BatchRun.Outcome failed = null;
        for (BatchRun.Outcome outcome : outcomes) {
            overview.append("  ").append(outcome.batch().named()).append(": ").append(outcome.failure() == null ? "passed" : "FAILED")
                    .append('\n');
            if (outcome.failure() != null) {
                failed = outcome;
            }
        }
        BatchRun.Halt halt = run.halt();
        if (halt != null && failed == null) {
            overview.append("The rollout halted at '").append(halt.step().step().named()).append("' in ").append(halt.batch().named())
                    .append("; ").append(notStarted(run)).append('\n');
        }
        scenario.attach(labelled(overview.toString()), "text/plain", named + " in batches");
        for (BatchRun.Outcome outcome : outcomes) {
            for (String report : outcome.reports()) {
                scenario.attach(report, "text/plain", outcome.batch().named() + ": " + named);
            }
        }
        if (failed != null) {
            throw new AssertionError(failed.batch().named() + ": " + failed.failure() + "\nThe rollout halted in " + failed.batch().named()
                    + "; " + notStarted(run));
        }
    }

    public void loadBalancer(String address) {
        loadBalancer = address;
    }

    public String loadBalancer() {
        if (loadBalancer == null) {
            throw new AssertionError("No load balancer address; add 'Given the load balancer has ip address 192.168.1.1' before this step");
        }
        return loadBalancer;
    }

    /** Discovers the hosts matching the filter; they become the hosts every later step must hear from. */
    public SortedSet<String> discover() {
        DroverSession.requireRunning();
        DiscoveryOptions options = DiscoveryOptions.defaults();
        if (expectedCount != null) {
            options = options.expecting(expectedCount);
        }
        if (listedHosts != null) {
            options = options.expectingHosts(listedHosts, listSource);
        }
        Discovery discovery;
        try {
            discovery = client().discover(filter, options);
        } catch (IllegalStateException | io.drover.error.DroverException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        HostSelection only = started().config().hosts();
        if (only.narrowed()) {
            discovery = narrow(discovery, only);
        }
        record.discovery(discovery);
        hosts = discovery.identities();
        String summary = String.format("%sDiscovered %d host%s matching %s in %d ms (%s%s)", dryRunning() ? DryRun.LABEL
                + " (requests are marked as dry runs; nothing will be changed): " : "", hosts.size(), hosts.size() == 1 ? "" : "s",
                filter.describe(), discovery.elapsed().toMillis(), discovery.ended().description(),
                discovery.firstReply() == null ? "" : String.format("; first reply after %d ms, quiet window %d ms",
                        discovery.firstReply().toMillis(), discovery.quietWindow().toMillis()))
                + (only.narrowed() ? ", narrowed by " + only.source() + " (" + only.hosts().size() + " host"
                + (only.hosts().size() == 1 ? "" : "s") + " listed)" : "");
        String expected = discovery.expectedFrom() == null
                ? "\nNo host list and no registrations: whoever answered the broadcast counts"
                : "\nCross-checked against " + discovery.expectedFrom() + ": " + discovery.missing().size() + " missing"
                + (discovery.unknown().isEmpty() ? "" : "; answered without being "
                + (listedHosts != null ? "listed" : "registered") + ": " + String.join(", ", discovery.unknown()));
        LOG.debug("{}: {}", summary, String.join(", ", hosts));
        if (OutcomeSummary.summarises(hosts.size())) {
            scenario.log(summary + ": " + String.join(", ", hosts.stream().limit(10).toList()) + " and " + (hosts.size() - 10)
                    + " more (all of them in the attached list)" + expected);
            scenario.attach(String.join("\n", hosts).getBytes(StandardCharsets.UTF_8), "text/plain", "discovered hosts");
        } else {
            scenario.log(summary + ":\n  " + String.join("\n  ", hosts) + expected);
        }
        if (!discovery.missing().isEmpty()) {
            StringBuilder table = new StringBuilder();
            discovery.missing().forEach((host, why) -> table.append("  | ").append(host).append(" | ").append(why).append(" |\n"));
            throw new AssertionError(discovery.missing().size() + " host(s) that must take part did not answer discovery (hosts "
                    + "matching " + filter.describe() + ", expected from " + discovery.expectedFrom() + "):\n" + table
                    + "Nothing was changed. Start their agents, or retire hosts that are gone for good (drover fleet forget HOST), "
                    + "and run the feature again.");
        }
        if (listedHosts != null && !discovery.unknown().isEmpty()) {
            throw new AssertionError(discovery.unknown().size() + " host(s) matching " + filter.describe() + " answered but are not "
                    + "listed in " + listSource + ": " + String.join(", ", discovery.unknown())
                    + ". Add them to the list, or narrow the filter; nothing was changed.");
        }
        if (!discovery.unknown().isEmpty()) {
            LOG.warn("{} host(s) answered discovery but never registered in the fleet registry (agents older than this runner?): {}",
                    discovery.unknown().size(), String.join(", ", discovery.unknown()));
        }
        if (!discovery.refused().isEmpty()) {
            StringBuilder table = new StringBuilder();
            discovery.refused().forEach((host, why) -> table.append("  | ").append(host).append(" | ").append(why).append(" |\n"));
            throw new AssertionError(discovery.refused().size() + " host(s) matching " + filter.describe()
                    + " refused discovery; they would refuse the deploy too:\n" + table);
        }
        if (hosts.isEmpty()) {
            throw new AssertionError("No host matched " + filter.describe() + " within " + discovery.elapsed().toMillis()
                    + " ms (" + discovery.ended().description() + ").\nCheck the filter steps, and that agents are connected to "
                    + client().broker() + " in collective " + client().options().collective() + "."
                    + (client().options().signer() == null ? "\nRequests are unsigned, and agents obey only signed requests unless "
                    + "configured otherwise: set -Ddrover.key=PATH/NAME.key (drover keys create --name NAME)." : ""));
        }
        requireExpectedCount();
        try {
            lock.take(scenario, client(), hosts);
        } catch (AssertionError e) {
            hosts = null;
            throw e;
        }
        recap.add(hosts, ONLY_BATCH);
        return hosts;
    }

    /** Waits up to {@code wait} at discovery for other deploys holding some of the hosts to finish. */
    public void waitForOtherDeploys(Duration wait) {
        if (hosts != null) {
            throw new AssertionError("The wait for other deploys must come before the hosts are discovered; move it above "
                    + "'I want to pre-discover how many hosts to update'");
        }
        lock.waitUpTo(wait);
    }

    /**
     * Keeps of {@code discovery} only the hosts of {@code only}; each of them must have answered, or it is missing by
     * name. Hosts outside {@code only} that did not answer or refused are no concern of this run.
     */
    private Discovery narrow(Discovery discovery, HostSelection only) {
        SortedSet<String> identities = new TreeSet<>(discovery.identities());
        identities.retainAll(only.hosts());
        SortedMap<String, String> missing = new TreeMap<>(discovery.missing());
        missing.keySet().retainAll(only.hosts());
        SortedMap<String, String> refused = new TreeMap<>(discovery.refused());
        refused.keySet().retainAll(only.hosts());
        for (String host : only.hosts()) {
            if (!identities.contains(host) && !refused.containsKey(host)) {
                missing.putIfAbsent(host, "listed in " + only.source() + " and did not answer discovery (or does not match " + filter.describe() + ")");
            }
        }
        SortedSet<String> unknown = new TreeSet<>(discovery.unknown());
        unknown.retainAll(only.hosts());
        return new Discovery(discovery.filter(), identities, refused, discovery.elapsed(), discovery.ended(), discovery.quietWindow(),
                discovery.firstReply(), discovery.lastReply(), discovery.largestGap(),
                discovery.expectedFrom() != null ? discovery.expectedFrom() + " and " + only.source() : only.source(), missing, unknown,
                discovery.facts());
    }

    /** The hosts of this deployment, discovering them first if no step did. */
    public SortedSet<String> hosts() {
        if (batchRun != null && batchRun.current() != null) {
            return new TreeSet<>(batchRun.current().hosts());
        }
        return hosts != null ? hosts : discover();
    }

    private void requireExpectedCount() {
        if (expectedCount != null && hosts.size() != expectedCount) {
            throw new AssertionError("Expected " + expectedCount + " hosts matching " + filter.describe() + " but "
                    + hosts.size() + " answered: " + String.join(", ", hosts));
        }
    }

    /**
     * Runs an action on every host; passes only if every host answered OK.
     *
     * @param call the action and its params, not yet addressed
     * @param what how the step is named in messages, e.g. "block 192.168.1.1"
     */
    public CallResult act(Call call, String what) {
        return run(call, what, null, false);
    }

    /**
     * Queries every host and checks each answer; passes only if every host answered OK and {@code problem}
     * returned {@code null} for it.
     *
     * @param problem what is wrong with an OK reply's state, e.g. "version 4.2.6-2.el5", or {@code null}
     */
    public CallResult check(Call call, String what, Function<Reply, String> problem) {
        return run(call, what, Objects.requireNonNull(problem), false);
    }

    /**
     * Like {@link #check} but judges every reply by {@code problem} alone, whatever its status: for states that
     * come back as failed replies, such as a CRITICAL Nagios check that is expected.
     */
    public CallResult checkAnyStatus(Call call, String what, Function<Reply, String> problem) {
        return run(call, what, Objects.requireNonNull(problem), true);
    }

    private CallResult run(Call call, String what, Function<Reply, String> problem, boolean anyStatus) {
        if (replayed()) {
            return new CallResult("", call.agent(), call.action(), new TreeSet<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), 0,
                    Duration.ZERO);
        }
        SortedSet<String> batch = hosts();
        DroverSession.requireRunning();
        acted = true;
        long startedAt = System.nanoTime();
        // Hosts that failed earlier within the budget take no part: they keep the state they reached.
        SortedSet<String> targets = new TreeSet<>(batch);
        targets.removeAll(recap.failedOf(batch));
        if (targets.isEmpty()) {
            record.call(reportIndex(), what, reportBatch(), startedAt, call.qualifiedAction(), Duration.ZERO, List.of(), java.util.Map.of(), batch);
            String note = what + ": no host left to ask, every host of this batch failed an earlier step";
            LOG.warn(note);
            log(note);
            return new CallResult("", call.agent(), call.action(), targets, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), 0,
                    Duration.ZERO);
        }
        // In a dry run a Then step checks what the When steps predicted; a gate has nothing to wait for then.
        DryRun.Prediction prediction = dryRunning() ? dryRun.latest(call) : null;
        // A When step is simulated against the hosts' current state: an earlier step's prediction is only named.
        DryRun.Prediction earlier = problem == null ? prediction : null;
        prediction = problem == null ? null : prediction;
        if (gateLimit != null && problem != null) {
            gateUsed = true;
            if (prediction == null) {
                return gate(call, what, problem, anyStatus, batch, targets);
            }
        }
        CallResult result = prediction != null ? predicted(call, what, targets, prediction) : call(call, what, targets, stepTimeout);
        HostTable table = HostTable.of(result, problem, anyStatus);
        record.call(reportIndex(), what, reportBatch(), startedAt, result, table, recap.failedOf(batch));
        SortedSet<String> changed = dryRunning() ? DryRun.wouldChange(result) : result.changed();
        String summary = String.format("%s (%s): %d of %d hosts OK%s in %d ms", what, result.qualifiedAction(), table.okCount(),
                targets.size(), problem == null ? ", " + changed.size() + (dryRunning() ? " would change" : " changed")
                        + (earlier != null ? " (judged against the hosts' current state, not the state '" + earlier.step()
                        + "' predicted, which a real run would have made by now)" : "")
                        : prediction != null ? ", as predicted by '" + prediction.step() + "' (the predicted hosts were not asked)" : "",
                result.elapsed().toMillis());
        report(summary, table.render(), () -> OutcomeSummary.of(table), targets.size(), result.qualifiedAction() + " per host");
        recap.reached(targets, what);
        if (problem == null) {
            recap.changed(changed);
            if (dryRunning()) {
                dryRun.predicted(call, what, result);
            }
        }
        if (table.failures().isEmpty()) {
            LOG.debug(summary);
            return result;
        }
        LOG.warn(summary);
        SortedMap<String, String> failed = new TreeMap<>();
        boolean unexpected = false;
        for (HostTable.Row row : table.failures()) {
            if (row.result().equals(HostTable.UNEXPECTED)) {
                unexpected = true;
            } else {
                failed.put(row.host(), row.result() + ": " + row.message());
            }
        }
        String details = OutcomeSummary.summarises(targets.size()) ? groups(OutcomeSummary.of(table.failures(), HostTable.Row::host,
                HostTable.Row::result, row -> false, HostTable.Row::message)) : table.renderFailures();
        settle(what, result.qualifiedAction(), batch, targets, failed, unexpected, details);
        return result;
    }

    private CallResult call(Call call, String what, SortedSet<String> targets, Duration timeout) {
        lock.require();
        CallResult result = client().call(call.to(targets).timeout(timeout).onProgress((replied, expected, failed, elapsed) ->
                LOG.info("{}: {}/{} hosts answered, {} failed, {} s of {} s", what, replied, expected, failed,
                        elapsed.toSeconds(), timeout.toSeconds())));
        requestIds.add(result.requestId());
        timedOut += (int) result.missing().values().stream().filter(why -> why.startsWith(CallResult.NO_REPLY_WITHIN)).count();
        return result;
    }

    /**
     * A Then step's answers in a dry run, from {@code prediction}; the targets it has no answer for are asked (read-only).
     */
    private CallResult predicted(Call call, String what, SortedSet<String> targets, DryRun.Prediction prediction) {
        long started = System.nanoTime();
        SortedMap<String, Reply> replies = new TreeMap<>(prediction.answersFor(call, targets));
        SortedSet<String> rest = new TreeSet<>(targets);
        rest.removeAll(replies.keySet());
        if (rest.isEmpty()) {
            return new CallResult("", call.agent(), call.action(), targets, replies, new TreeMap<>(), new TreeMap<>(), 0,
                    Duration.ofNanos(System.nanoTime() - started));
        }
        CallResult asked = call(call, what, rest, stepTimeout);
        replies.putAll(asked.replies());
        return new CallResult(asked.requestId(), call.agent(), call.action(), targets, replies, asked.missing(), asked.unexpected(),
                asked.duplicates(), Duration.ofNanos(System.nanoTime() - started), List.of(), 0,
                asked.answeredAt());
    }

    private boolean dryRunning() {
        return started().config().dryRun();
    }

    /** A Then step under {@code within}: asks again the hosts not yet in the stated state, see {@link HealthGate}. */
    private CallResult gate(Call call, String what, Function<Reply, String> problem, boolean anyStatus, SortedSet<String> batch,
                            SortedSet<String> targets) {
        long startedAt = System.nanoTime();
        HealthGate gate = new HealthGate(gateLimit, retryInterval, stepTimeout, System::nanoTime, pause -> Thread.sleep(pause.toMillis()));
        HealthGate.Outcome outcome = gate.run(targets, (pending, timeout) -> {
            DroverSession.requireRunning();
            CallResult result = call(call, what, pending, timeout);
            HostTable table = HostTable.of(result, problem, anyStatus);
            LOG.info("{}: attempt: {} of {} hosts OK", what, table.okCount(), pending.size());
            return new HealthGate.Answer(table, result);
        });
        CallResult last = outcome.calls().get(outcome.calls().size() - 1);
        List<HostTable.Row> rows = new ArrayList<>(outcome.unexpected());
        java.util.Map<String, Duration> passedAt = new TreeMap<>();
        for (HealthGate.HostRecord host : outcome.hosts()) {
            rows.add(host.last());
            if (host.passed()) {
                passedAt.put(host.host(), host.passedAt());
            }
        }
        record.call(reportIndex(), what + " within " + CallResult.seconds(gateLimit), reportBatch(), startedAt, last.qualifiedAction(),
                outcome.elapsed(), rows, passedAt, recap.failedOf(batch));
        int passed = targets.size() - outcome.failed().size();
        String summary = String.format("%s (%s) within %s: %d of %d hosts OK after %d attempt%s, every %s, in %d ms", what,
                last.qualifiedAction(), CallResult.seconds(gateLimit), passed, targets.size(), outcome.attempts(),
                outcome.attempts() == 1 ? "" : "s", CallResult.seconds(retryInterval), outcome.elapsed().toMillis());
        String connection = outcome.calls().stream().map(CallResult::connectionSummary).filter(text -> !text.isEmpty())
                .reduce((a, b) -> a + "; " + b).map(text -> "  Broker connection: " + text + "\n").orElse("");
        report(summary, outcome.render(false) + connection, () -> OutcomeSummary.of(outcome.hosts(), HealthGate.HostRecord::host,
                host -> host.passed() ? HostTable.OK : host.last().result(), HealthGate.HostRecord::passed,
                host -> host.last().message()), targets.size(), last.qualifiedAction() + " per host");
        recap.reached(targets, what);
        if (outcome.failed().isEmpty() && outcome.unexpected().isEmpty()) {
            LOG.debug(summary);
            return last;
        }
        LOG.warn(summary);
        SortedMap<String, String> failed = new TreeMap<>();
        outcome.failed().forEach(host -> failed.put(host.host(), "after " + host.attempts() + " attempt" + (host.attempts() == 1 ? "" : "s")
                + " within " + CallResult.seconds(gateLimit) + ", last answer: " + host.last().result() + ": " + host.last().message()));
        String details = OutcomeSummary.summarises(targets.size()) ? groups(OutcomeSummary.of(outcome.failed(), HealthGate.HostRecord::host,
                host -> host.last().result(), host -> false, host -> host.last().message())) : outcome.render(true) + connection;
        settle(what + " within " + CallResult.seconds(gateLimit), last.qualifiedAction(), batch, targets, failed,
                !outcome.unexpected().isEmpty(), details);
        return last;
    }

    /** The groups of a summary of failures, without its counts line (the message says how many failed). */
    private static String groups(String summary) {
        return summary.substring(summary.indexOf('\n') + 1) + "  (the full table is attached to the report)\n";
    }

    /**
     * Attaches a step's per-host table; above {@link OutcomeSummary#THRESHOLD} hosts the console gets a summary and the
     * table goes to the reports only (attached as bytes, which the pretty console names but does not print).
     */
    private void report(String summary, String table, java.util.function.Supplier<String> grouped, int hostCount, String name) {
        if (dryRunning()) {
            summary = DryRun.LABEL + " (nothing was changed): " + summary;
            name = DryRun.LABEL + " " + name;
        }
        if (started().config().acceptsUnsignedReplies()) {
            summary += "\nWARNING: " + RunnerConfig.UNVERIFIED_REPLIES_WARNING;
            LOG.warn("{}: {}", name, RunnerConfig.UNVERIFIED_REPLIES_WARNING);
        }
        if (batchRun != null && batchRun.current() != null) {
            // In a batch, the report says which batch and step it is of; it is kept to report again at the step itself.
            name = batchRun.reportName();
            summary = (dryRunning() ? DryRun.LABEL + " " : "") + name + "\n" + summary;
        }
        if (OutcomeSummary.summarises(hostCount)) {
            String text = summary + "\n" + grouped.get();
            scenario.attach(text, "text/plain", name + " (summary)");
            scenario.attach((summary + "\n" + table).getBytes(StandardCharsets.UTF_8), "text/plain", name);
            recordReport(text);
        } else {
            scenario.attach(summary + "\n" + table, "text/plain", name);
            recordReport(summary + "\n" + table);
        }
    }

    /** Logs {@code note} to the report; in a batch, also keeps it to report again at the step itself. */
    private void log(String note) {
        if (batchRun != null && batchRun.current() != null) {
            note = batchRun.reportName() + ": " + note;
        }
        scenario.log(note);
        recordReport(note);
    }

    private void recordReport(String text) {
        if (batchRun != null && batchRun.current() != null) {
            batchRun.record(text);
        }
    }

    /**
     * Records the hosts that failed a step and applies the failure budget: within it they drop out of the later steps
     * and the step passes; over it (or when a host answered without being asked) the step fails and the remaining steps
     * are skipped.
     */
    private void settle(String what, String action, SortedSet<String> batch, SortedSet<String> targets, SortedMap<String, String> failed,
                        boolean unexpected, String details) {
        failed.forEach((host, why) -> recap.failed(host, what, why));
        int batchFailed = recap.failedOf(batch).size();
        String budgetText = String.format("failure budget: %s; %d of %d host%s of this batch failed", budget.describe(batch.size()),
                batchFailed, batch.size(), batch.size() == 1 ? "" : "s");
        int bad = failed.size() + (unexpected ? 1 : 0);
        if (unexpected || budget.exceededBy(batchFailed, batch.size())) {
            throw new AssertionError(String.format("%s failed on %d of %d host%s (%s, hosts matching %s; %s%s):%n%s"
                            + "The remaining steps are skipped; hosts keep the state they reached. Fix the hosts named above and run the feature again.",
                    what, failed.size(), targets.size(), targets.size() == 1 ? "" : "s", action, filter.describe(), budgetText,
                    unexpected ? "; a host answered without being asked, which no budget allows" : "", details));
        }
        String note = String.format("%s failed on %d of %d host%s, within the %s. %s drop%s out of the remaining steps and keep%s the "
                        + "state reached; the scenario will fail at its end:%n%s", what, bad, targets.size(), targets.size() == 1 ? "" : "s",
                budgetText, bad == 1 ? "It" : "They", bad == 1 ? "s" : "", bad == 1 ? "s" : "", details);
        LOG.warn(note.lines().findFirst().orElse(note));
        log(note);
    }
}
