package io.drover.steps;

import io.cucumber.java.en.Given;
import io.drover.lock.DeployLocks;

import java.time.Duration;

/** Steps about the deploy lock: whether discovery waits for other deploys of the same hosts. */
public final class LockSteps {
    private final Deployment deployment;

    public LockSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @Given("I wait up to {int} second(s) for other deploys to finish")
    public void waitSeconds(int seconds) {
        waitFor(Duration.ofSeconds(seconds), seconds + " seconds");
    }

    @Given("I wait up to {int} minute(s) for other deploys to finish")
    public void waitMinutes(int minutes) {
        waitFor(Duration.ofMinutes(minutes), minutes + " minutes");
    }

    private void waitFor(Duration wait, String said) {
        if (wait.isNegative() || wait.isZero() || wait.compareTo(DeployLocks.MAX_WAIT) > 0) {
            throw new AssertionError("Wait 1 second to " + DeployLocks.MAX_WAIT.toHours() + " hours for other deploys, not " + said);
        }
        deployment.waitForOtherDeploys(wait);
    }
}
