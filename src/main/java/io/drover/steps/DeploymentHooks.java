package io.drover.steps;

import io.cucumber.java.After;
import io.cucumber.java.AfterStep;
import io.cucumber.java.Before;
import io.cucumber.java.BeforeStep;
import io.cucumber.java.Scenario;
import io.drover.runner.DroverSession;

/** Starts every scenario's {@link Deployment} on the run's session, tells it when each step starts and ends, and ends it. */
public final class DeploymentHooks {
    private final Deployment deployment;

    public DeploymentHooks(Deployment deployment) {
        this.deployment = deployment;
    }

    @Before(order = 0)
    public void beginDeployment(Scenario scenario) {
        deployment.begin(scenario, DroverSession.get());
    }

    @BeforeStep(order = 0)
    public void stepStarted() {
        deployment.stepStarted();
    }

    @AfterStep(order = 0)
    public void stepEnded() {
        deployment.stepEnded();
    }

    @After(order = 0)
    public void endDeployment() {
        deployment.end();
    }
}
