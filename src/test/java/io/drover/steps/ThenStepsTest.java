package io.drover.steps;

import io.drover.testing.SampleThenSteps;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 'within' finds the Then step by the step's own expression: one mechanism for every Then step. */
class ThenStepsTest {
    private final SampleThenSteps sample = new SampleThenSteps();
    private final ThenSteps steps = new ThenSteps(List.of(sample));

    @Test
    void aThenStepRunsWithItsTypedArguments() {
        steps.find("the service httpd should be running").run();
        steps.find("I expect 1 host to answer").run();
        steps.find("I expect 4 hosts to answer").run();
        assertEquals(List.of("running httpd", "answer 1", "answer 4"), sample.ran);
    }

    @Test
    void theStepsOwnFailureComesThroughUnwrapped() {
        AssertionError e = assertThrows(AssertionError.class, () -> steps.find("the check check_load fails").run());
        assertEquals("check_load failed", e.getMessage());
    }

    @Test
    void onlyThenStepsCanWait() {
        AssertionError e = assertThrows(AssertionError.class, () -> steps.find("I restart the service httpd"));
        assertTrue(e.getMessage().contains("must be followed by a built-in Then step") && e.getMessage().contains("the service {word} should be running"),
                e.getMessage());
        assertTrue(sample.ran.isEmpty());
    }

    @Test
    void everyBuiltInThenStepIsFound() {
        Deployment deployment = new Deployment();
        ThenSteps builtIn = new ThenSteps(List.of(new FirewallSteps(deployment), new PackageSteps(deployment), new ServiceSteps(deployment),
                new NrpeSteps(deployment)));
        for (String text : List.of("traffic from the load balancer should be blocked", "traffic from 10.0.0.0/8 should be unblocked",
                "the package version for mywebapp should be 4.2.6-3.el5", "the package mywebapp should be installed",
                "the package mywebapp should not be installed", "the service httpd should be running", "the service httpd should be stopped",
                "the nrpe check check_load should pass", "the nrpe check check_load should report CRITICAL")) {
            builtIn.find(text);
        }
    }
}
