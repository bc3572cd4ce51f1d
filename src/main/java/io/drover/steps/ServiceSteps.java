package io.drover.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import io.drover.client.Call;

/** Steps for the {@code service} agent. */
public final class ServiceSteps {
    private final Deployment deployment;

    public ServiceSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @When("I restart the service {word}")
    public void restart(String service) {
        deployment.act(Call.of("service", "restart").param("service", service), "restart " + service);
    }

    @When("I start the service {word}")
    public void start(String service) {
        deployment.act(Call.of("service", "start").param("service", service), "start " + service);
    }

    @When("I stop the service {word}")
    public void stop(String service) {
        deployment.act(Call.of("service", "stop").param("service", service), "stop " + service);
    }

    @Then("the service {word} should be running")
    public void running(String service) {
        expectState(service, "running");
    }

    @Then("the service {word} should be stopped")
    public void stopped(String service) {
        expectState(service, "stopped");
    }

    private void expectState(String service, String state) {
        deployment.check(Call.of("service", "status").param("service", service), "check " + service + " is " + state,
                reply -> state.equals(reply.get("status")) ? null : service + " is " + reply.get("status"));
    }
}
