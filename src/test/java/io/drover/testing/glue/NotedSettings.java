package io.drover.testing.glue;

import io.cucumber.java.en.When;
import io.drover.steps.Deployment;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A custom step class outside {@code io.drover.steps}: it receives the scenario's {@link Deployment} by constructor, as
 * any project's own steps do, and notes what the deployment was configured with so a test can read it.
 */
public final class NotedSettings {
    private static final AtomicReference<Duration> STEP_TIMEOUT = new AtomicReference<>();

    private final Deployment deployment;

    public NotedSettings(Deployment deployment) {
        this.deployment = deployment;
    }

    @When("I note the deployment's settings")
    public void note() {
        STEP_TIMEOUT.set(deployment.stepTimeout());
    }

    /** The step timeout the last scenario noted, and forgets it. */
    public static Duration takeStepTimeout() {
        return STEP_TIMEOUT.getAndSet(null);
    }
}
