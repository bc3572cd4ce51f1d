package io.drover.testing;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;

import java.util.ArrayList;
import java.util.List;

/**
 * Step definitions for unit tests of how steps are found by their expressions; outside {@code io.drover.steps}, so
 * Cucumber never takes them for glue.
 */
public final class SampleThenSteps {
    public final List<String> ran = new ArrayList<>();

    @Then("the service {word} should be running")
    public void running(String service) {
        ran.add("running " + service);
    }

    @Then("I expect {int} host(s) to answer")
    public void answer(int count) {
        ran.add("answer " + count);
    }

    @Then("the check {word} fails")
    public void fails(String check) {
        throw new AssertionError(check + " failed");
    }

    @When("I restart the service {word}")
    public void restart(String service) {
        ran.add("restart " + service);
    }
}
