package io.drover.testing.glue;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import io.drover.steps.Deployment;

import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Steps that make two scenarios meet half-way, to show each keeps its own deployment while both run. */
public final class ParallelSteps {
    /** Generous: it only bounds a run whose scenarios were not started in parallel at all. */
    private static final long MEETING_TIMEOUT_SECONDS = 120;
    private static volatile CyclicBarrier meeting = new CyclicBarrier(2);
    /** Load balancer of each scenario that got past its checks, to the identity of its deployment. */
    private static final Map<String, Integer> DEPLOYMENTS = new ConcurrentHashMap<>();

    private final Deployment deployment;

    public ParallelSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    /** Forgets the last run. */
    public static Map<String, Integer> reset() {
        Map<String, Integer> last = Map.copyOf(DEPLOYMENTS);
        DEPLOYMENTS.clear();
        meeting = new CyclicBarrier(2);
        return last;
    }

    @When("the other scenario has chosen its hosts too")
    public void meet() throws InterruptedException, BrokenBarrierException {
        try {
            meeting.await(MEETING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("The other scenario never got here: the two scenarios did not run in parallel");
        }
    }

    @Then("this scenario's deployment has the load balancer {word} and {int} host(s)")
    public void check(String loadBalancer, int hosts) {
        if (!deployment.loadBalancer().equals(loadBalancer)) {
            throw new AssertionError("The load balancer is " + deployment.loadBalancer() + ", set by the other scenario");
        }
        if (deployment.hosts().size() != hosts) {
            throw new AssertionError("Expected " + hosts + " hosts, got " + deployment.hosts() + " matching " + deployment.filter().describe());
        }
        DEPLOYMENTS.put(loadBalancer, System.identityHashCode(deployment));
    }
}
