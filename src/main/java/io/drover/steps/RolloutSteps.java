package io.drover.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;

import java.time.Duration;
import java.util.List;

/**
 * Steps that shape a rollout: the failure budget, health gates that wait ({@code within N seconds} in front of any
 * built-in Then step), how often they ask again, and plain waits.
 */
public final class RolloutSteps {
    /** The longest wait or gate a step may ask for. */
    static final Duration MAX_WAIT = Duration.ofDays(1);

    private final Deployment deployment;
    private final ThenSteps thenSteps;

    public RolloutSteps(Deployment deployment, FirewallSteps firewall, PackageSteps packages, ServiceSteps services, NrpeSteps nrpe) {
        this.deployment = deployment;
        this.thenSteps = new ThenSteps(List.of(firewall, packages, services, nrpe));
    }

    @Given("I allow no failed hosts")
    public void allowNoFailedHosts() {
        deployment.failureBudget(FailureBudget.NONE);
    }

    @Given("I allow at most {int} failed host(s) per batch")
    public void allowFailedHosts(int count) {
        deployment.failureBudget(FailureBudget.hosts(count));
    }

    @Given("I allow at most {int}% failed host(s) per batch")
    public void allowFailedPercent(int percent) {
        deployment.failureBudget(FailureBudget.percentOf(percent));
    }

    @Given("^I retry checks every (\\d{1,9}) (seconds?|minutes?)$")
    public void retryEvery(String amount, String unit) {
        Duration interval = duration(amount, unit);
        if (interval.isZero()) {
            throw new AssertionError("Checks must be retried at least 1 second apart");
        }
        deployment.retryInterval(interval);
    }

    @When("^I wait (\\d{1,9}) (seconds?|minutes?)$")
    public void waitFor(String amount, String unit) throws InterruptedException {
        deployment.pause(duration(amount, unit));
    }

    @Then("^within (\\d{1,9}) (seconds?|minutes?) (.+)$")
    public void within(String amount, String unit, String step) {
        Duration limit = duration(amount, unit);
        if (limit.isZero()) {
            throw new AssertionError("'within 0 " + unit + "' waits for nothing; drop 'within' to check once");
        }
        deployment.within(limit, step, thenSteps.find(step));
    }

    private static Duration duration(String amount, String unit) {
        long value = Long.parseLong(amount);
        Duration duration = unit.startsWith("minute") ? Duration.ofMinutes(value) : Duration.ofSeconds(value);
        if (duration.compareTo(MAX_WAIT) > 0) {
            throw new AssertionError(amount + " " + unit + " is longer than a day; give at most 86400 seconds");
        }
        return duration;
    }
}
