package io.drover.steps;

import io.cucumber.java.en.Then;
import io.drover.catalog.CheckState;
import io.drover.client.Call;

import java.util.Locale;

import static io.drover.catalog.NrpeCatalog.AGENT;
import static io.drover.catalog.NrpeCatalog.COMMAND;
import static io.drover.catalog.NrpeCatalog.RUN_COMMAND;
import static io.drover.catalog.NrpeCatalog.STATE;

/** Steps for the {@code nrpe} agent: Nagios checks defined on each host. */
public final class NrpeSteps {
    private final Deployment deployment;

    public NrpeSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @Then("the nrpe check {word} should pass")
    public void shouldPass(String check) {
        deployment.check(run(check), "check " + check + " passes",
                reply -> CheckState.OK.name().equals(reply.get(STATE)) ? null : check + " is " + reply.get(STATE));
    }

    /** A check expected in another state, e.g. CRITICAL while a service is deliberately stopped. */
    @Then("the nrpe check {word} should report {word}")
    public void shouldReport(String check, String state) {
        CheckState expected;
        try {
            expected = CheckState.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AssertionError("'" + state + "' is not a check state; use OK, WARNING, CRITICAL or UNKNOWN");
        }
        if (expected == CheckState.OK) {
            shouldPass(check);
            return;
        }
        // A non-OK check comes back as a failed reply (status 1) carrying its state; here that is expected.
        deployment.checkAnyStatus(run(check), "check " + check + " reports " + expected,
                reply -> expected.name().equals(reply.get(STATE)) ? null
                        : check + " is " + (reply.get(STATE) != null ? reply.get(STATE) : reply.status() + ": " + reply.message()));
    }

    private static Call run(String check) {
        return Call.of(AGENT, RUN_COMMAND).param(COMMAND, check);
    }
}
