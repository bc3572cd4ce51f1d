package io.drover.steps;

import io.cucumber.java.en.Given;

import java.util.List;
import java.util.Set;

/**
 * The batch step: {@code I update hosts in batches of 2}, {@code ... of 25%}, {@code ... of 1, 5 and 25%}. The steps
 * after it run as a whole for the first batch, then for the next, so only one batch at a time is out of the load
 * balancer; see {@link Deployment#inBatches} and docs/steps.md.
 */
public final class BatchSteps {
    /** The steps of {@link HostSteps} that may follow a batch step: they choose no hosts. */
    private static final Set<String> SETTINGS = Set.of("theLoadBalancerHasIpAddress", "stepTimeout");

    private final Deployment deployment;
    private final StepLibrary library;

    public BatchSteps(Deployment deployment, HostSteps hosts, FirewallSteps firewall, PackageSteps packages, ServiceSteps services,
                      NrpeSteps nrpe, RolloutSteps rollout, LockSteps lock) {
        this.deployment = deployment;
        // Every Drover step class with steps a batch can repeat; BatchStepsTest checks none is missing.
        this.library = new StepLibrary(List.of(hosts, firewall, packages, services, nrpe, rollout, lock, this));
    }

    @Given("^I update hosts in batches of (.+)$")
    public void inBatches(String sizes) {
        deployment.inBatches(BatchSizes.parse(sizes), library, "I update hosts in batches of " + sizes, BatchSteps::refused);
    }

    /** Why a step may not follow a batch step, or {@code null}. */
    private static String refused(StepLibrary.Definition definition) {
        Class<?> owner = definition.method().getDeclaringClass();
        if (owner == BatchSteps.class) {
            return "is a second batch step; a scenario has one";
        }
        if (owner == LockSteps.class) {
            return "waits for other deploys, which must be done before the hosts are discovered; move it above the batch step";
        }
        if (owner == HostSteps.class && !SETTINGS.contains(definition.method().getName())) {
            return "chooses the hosts, which must be done before the hosts are cut into batches; move it above the batch step";
        }
        return null;
    }
}
