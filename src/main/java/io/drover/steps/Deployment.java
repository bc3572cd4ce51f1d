package io.drover.steps;

import io.cucumber.java.Scenario;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.Discovery;
import io.drover.fleet.HostList;
import io.drover.client.DiscoveryOptions;
import io.drover.client.DroverClient;
import io.drover.client.HostTable;
import io.drover.client.LateReply;
import io.drover.filter.Filter;
import io.drover.protocol.Reply;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * The state of one deploy scenario: which hosts it is for (filters, pre-discovery, expected count), how long a
 * step may take, and the load balancer. Steps run actions through {@link #act} and verify state through
 * {@link #check}; both pass only when every expected host answered as required, and attach the per-host
 * table to the report.
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

    /** Made by Cucumber for each scenario; {@link DeploymentHooks} starts it before the scenario's first step. */
    public Deployment() {
    }

    /** Starts the deployment of {@code scenario} on {@code session}. */
    void begin(Scenario scenario, DroverSession session) {
        this.scenario = Objects.requireNonNull(scenario);
        this.session = Objects.requireNonNull(session);
        this.stepTimeout = session.client().options().callTimeout();
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
     * Ends the scenario, attaching the replies its steps gave up on that came in since, then releasing the deploy
     * lock (after the late replies: until then hosts may still be acting on this scenario's requests).
     */
    void end() {
        try {
            if (session != null) {
                attachLateReplies();
            }
        } finally {
            lock.release();
        }
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
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        hosts = discovery.identities();
        String summary = String.format("Discovered %d host%s matching %s in %d ms (%s%s)", hosts.size(), hosts.size() == 1 ? "" : "s",
                filter.describe(), discovery.elapsed().toMillis(), discovery.ended().description(),
                discovery.firstReply() == null ? "" : String.format("; first reply after %d ms, quiet window %d ms",
                        discovery.firstReply().toMillis(), discovery.quietWindow().toMillis()));
        String expected = discovery.expectedFrom() == null
                ? "\nNo host list and no registrations: whoever answered the broadcast counts"
                : "\nCross-checked against " + discovery.expectedFrom() + ": " + discovery.missing().size() + " missing"
                + (discovery.unknown().isEmpty() ? "" : "; answered without being "
                + (listedHosts != null ? "listed" : "registered") + ": " + String.join(", ", discovery.unknown()));
        LOG.debug("{}: {}", summary, String.join(", ", hosts));
        scenario.log(summary + ":\n  " + String.join("\n  ", hosts) + expected);
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

    /** The hosts of this deployment, discovering them first if no step did. */
    public SortedSet<String> hosts() {
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
        SortedSet<String> targets = hosts();
        DroverSession.requireRunning();
        lock.require();
        Duration timeout = stepTimeout;
        CallResult result = client().call(call.to(targets).timeout(timeout).onProgress((replied, expected, failed, elapsed) ->
                LOG.info("{}: {}/{} hosts answered, {} failed, {} s of {} s", what, replied, expected, failed,
                        elapsed.toSeconds(), timeout.toSeconds())));
        requestIds.add(result.requestId());
        timedOut += (int) result.missing().values().stream().filter(why -> why.startsWith(CallResult.NO_REPLY_WITHIN)).count();
        HostTable table = HostTable.of(result, problem, anyStatus);
        String summary = String.format("%s (%s): %d of %d hosts OK%s in %d ms", what, result.qualifiedAction(), table.okCount(),
                targets.size(), problem == null ? ", " + result.changed().size() + " changed" : "", result.elapsed().toMillis());
        if (started().config().acceptsUnsignedReplies()) {
            summary += "\nWARNING: " + RunnerConfig.UNVERIFIED_REPLIES_WARNING;
            LOG.warn("{}: {}", what, RunnerConfig.UNVERIFIED_REPLIES_WARNING);
        }
        scenario.attach(summary + "\n" + table.render(), "text/plain", result.qualifiedAction() + " per host");
        if (table.failures().isEmpty()) {
            LOG.debug(summary);
            return result;
        }
        LOG.warn(summary);
        int bad = table.failures().size();
        throw new AssertionError(String.format("%s failed on %d of %d host%s (%s, hosts matching %s):%n%s"
                        + "The remaining steps are skipped; hosts keep the state they reached. Fix the hosts named above and run the feature again.",
                what, bad, targets.size(), targets.size() == 1 ? "" : "s", result.qualifiedAction(), filter.describe(),
                table.renderFailures()));
    }
}
