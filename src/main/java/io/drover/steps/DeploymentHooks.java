package io.drover.steps;

import io.cucumber.java.After;
import io.cucumber.java.Before;
import io.cucumber.java.Scenario;

/** Gives every scenario a fresh {@link Deployment}. */
public final class DeploymentHooks {
    @Before(order = 0)
    public void beginDeployment(Scenario scenario) {
        Deployment.begin(scenario);
    }

    @After(order = 0)
    public void endDeployment() {
        Deployment.end();
    }
}
