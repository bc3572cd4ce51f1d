package io.drover.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import io.drover.client.Call;

import static io.drover.catalog.ServiceCatalog.AGENT;
import static io.drover.catalog.ServiceCatalog.RESTART;
import static io.drover.catalog.ServiceCatalog.RUNNING;
import static io.drover.catalog.ServiceCatalog.SERVICE;
import static io.drover.catalog.ServiceCatalog.START;
import static io.drover.catalog.ServiceCatalog.STATE;
import static io.drover.catalog.ServiceCatalog.STATUS;
import static io.drover.catalog.ServiceCatalog.STOP;
import static io.drover.catalog.ServiceCatalog.STOPPED;

/** Steps for the {@code service} agent. */
public final class ServiceSteps {
    private final Deployment deployment;

    public ServiceSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @When("I restart the service {word}")
    public void restart(String service) {
        deployment.act(Call.of(AGENT, RESTART).param(SERVICE, service), "restart " + service);
    }

    @When("I start the service {word}")
    public void start(String service) {
        deployment.act(Call.of(AGENT, START).param(SERVICE, service), "start " + service);
    }

    @When("I stop the service {word}")
    public void stop(String service) {
        deployment.act(Call.of(AGENT, STOP).param(SERVICE, service), "stop " + service);
    }

    @Then("the service {word} should be running")
    public void running(String service) {
        expectState(service, RUNNING);
    }

    @Then("the service {word} should be stopped")
    public void stopped(String service) {
        expectState(service, STOPPED);
    }

    private void expectState(String service, String state) {
        deployment.check(Call.of(AGENT, STATUS).param(SERVICE, service), "check " + service + " is " + state,
                reply -> state.equals(reply.get(STATE)) ? null : service + " is " + reply.get(STATE));
    }
}
