package io.drover.steps;

import io.cucumber.java.Scenario;
import io.drover.client.DroverClient;
import io.drover.lock.DeployLocks;
import io.drover.lock.HostLock;
import io.drover.lock.LockHolder;
import io.drover.lock.LockedException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.SortedSet;

/**
 * A scenario's deploy lock: taken on its hosts at discovery, held until the scenario ends (see
 * docs/architecture.md, "The deploy lock"). Turns the lock's outcomes into step failures that say what to do.
 */
final class ScenarioLock {
    /** How long discovery waits for other deploys holding some of the hosts; zero: it fails at once. */
    private Duration wait = Duration.ZERO;
    private HostLock held;

    void waitUpTo(Duration wait) {
        this.wait = Objects.requireNonNull(wait);
    }

    /** Locks {@code hosts} for this scenario (releasing what it held before), or fails naming the run holding one. */
    void take(Scenario scenario, DroverClient client, SortedSet<String> hosts) {
        release();
        try {
            held = new DeployLocks(client.connector(), client.options().collective())
                    .acquire(hosts, LockHolder.ofThisRunner(client.options().caller(), featureName(scenario)), wait);
        } catch (LockedException e) {
            throw new AssertionError(e.getMessage() + "\nNothing was changed. Run the feature again once that deploy has finished, "
                    + "or let this one wait for it: add 'Given I wait up to 5 minutes for other deploys to finish' above "
                    + "'I want to pre-discover how many hosts to update'.", e);
        } catch (IOException e) {
            throw new AssertionError("Cannot lock the discovered hosts against other deploys: " + e.getMessage()
                    + ". Nothing was changed.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for other deploys to finish; nothing was changed", e);
        }
        scenario.log("Locked the " + hosts.size() + " host" + (hosts.size() == 1 ? "" : "s") + " against other deploys until this scenario ends");
    }

    /** Fails unless the scenario still holds its lock: nothing is sent to hosts another run may be deploying. */
    void require() {
        if (held == null) {
            throw new AssertionError("The hosts are not locked against other deploys (discovery failed); nothing is sent");
        }
        try {
            held.requireHeld();
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    void release() {
        if (held != null) {
            held.close();
            held = null;
        }
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
