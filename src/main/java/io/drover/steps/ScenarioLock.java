package io.drover.steps;

import io.cucumber.java.Scenario;
import io.drover.client.DroverClient;
import io.drover.lock.DeployLocks;
import io.drover.lock.HostLock;
import io.drover.lock.LockHolder;
import io.drover.lock.LockedException;
import io.drover.transport.BrokerConnector;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;

/**
 * A scenario's deploy lock: taken on its hosts at discovery, held until the scenario ends (see
 * docs/architecture.md, "The deploy lock"). Turns the lock's outcomes into step failures that say what to do.
 */
final class ScenarioLock {
    /** How long discovery waits for other deploys holding some of the hosts; zero: it fails at once. */
    private Duration wait = Duration.ZERO;
    /** One lock per broker the hosts keep their locks on (one per site); empty when none is held. */
    private final List<HostLock> held = new ArrayList<>();

    void waitUpTo(Duration wait) {
        this.wait = Objects.requireNonNull(wait);
    }

    /** Locks {@code hosts} for this scenario (releasing what it held before), or fails naming the run holding one. */
    void take(Scenario scenario, DroverClient client, SortedSet<String> hosts) {
        release();
        LockHolder holder = LockHolder.ofThisRunner(client.options().caller(), featureName(scenario));
        List<Map.Entry<BrokerConnector, SortedSet<String>>> places = client.lockPlaces(hosts);
        if (places.isEmpty()) {
            places = List.of(Map.entry(client.connector(), hosts));
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            // Each host on its own site's broker, the sites in a fixed order: a run on one site locks them there too.
            // One wait for them all, not one per site.
            for (Map.Entry<BrokerConnector, SortedSet<String>> place : places) {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                held.add(new DeployLocks(place.getKey(), client.options().collective()).acquire(place.getValue(), holder, left));
            }
        } catch (LockedException | IOException | InterruptedException | RuntimeException e) {
            release();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw refusal(e);
        }
        scenario.log("Locked the " + hosts.size() + " host" + (hosts.size() == 1 ? "" : "s") + " against other deploys until this scenario ends");
    }

    /** What a step says when the hosts could not be locked. */
    private static AssertionError refusal(Exception e) {
        if (e instanceof LockedException) {
            return new AssertionError(e.getMessage() + "\nNothing was changed. Run the feature again once that deploy has finished, "
                    + "or let this one wait for it: add 'Given I wait up to 5 minutes for other deploys to finish' above "
                    + "'I want to pre-discover how many hosts to update'.", e);
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new AssertionError("Interrupted while waiting for other deploys to finish; nothing was changed", e);
        }
        return new AssertionError("Cannot lock the discovered hosts against other deploys: " + e.getMessage() + ". Nothing was changed.", e);
    }

    /** Fails unless the scenario still holds its lock: nothing is sent to hosts another run may be deploying. */
    void require() {
        if (held.isEmpty()) {
            throw new AssertionError("The hosts are not locked against other deploys (discovery failed); nothing is sent");
        }
        try {
            held.forEach(HostLock::requireHeld);
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    void release() {
        held.forEach(HostLock::close);
        held.clear();
    }

    /** The feature file (relative to the working directory when under it), line and scenario name. */
    private static String featureName(Scenario scenario) {
        String uri = scenario.getUri().toString();
        if ("file".equals(scenario.getUri().getScheme())) {
            Path path = Path.of(scenario.getUri());
            Path here = Path.of("").toAbsolutePath();
            uri = path.startsWith(here) ? here.relativize(path).toString() : path.toString();
        }
        return uri + ":" + scenario.getLine() + " (" + scenario.getName() + ")";
    }
}
