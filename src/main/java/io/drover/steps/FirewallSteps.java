package io.drover.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import io.drover.catalog.IpAddress;
import io.drover.client.Call;

import static io.drover.catalog.FirewallCatalog.ADDRESS;
import static io.drover.catalog.FirewallCatalog.AGENT;
import static io.drover.catalog.FirewallCatalog.BLOCK;
import static io.drover.catalog.FirewallCatalog.BLOCKED;
import static io.drover.catalog.FirewallCatalog.IS_BLOCKED;
import static io.drover.catalog.FirewallCatalog.UNBLOCK;

/** Steps for the {@code firewall} agent. Blocking an already blocked address passes: actions are idempotent. */
public final class FirewallSteps {
    private final Deployment deployment;

    public FirewallSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @When("I block the load balancer")
    public void blockTheLoadBalancer() {
        block(deployment.loadBalancer());
    }

    @When("I unblock the load balancer")
    public void unblockTheLoadBalancer() {
        unblock(deployment.loadBalancer());
    }

    @Then("traffic from the load balancer should be blocked")
    public void loadBalancerBlocked() {
        expectBlocked(deployment.loadBalancer(), true);
    }

    @Then("traffic from the load balancer should be unblocked")
    public void loadBalancerUnblocked() {
        expectBlocked(deployment.loadBalancer(), false);
    }

    @When("I block traffic from {word}")
    public void block(String address) {
        deployment.act(Call.of(AGENT, BLOCK).param(ADDRESS, valid(address)), "block " + address);
    }

    @When("I unblock traffic from {word}")
    public void unblock(String address) {
        deployment.act(Call.of(AGENT, UNBLOCK).param(ADDRESS, valid(address)), "unblock " + address);
    }

    @Then("traffic from {word} should be blocked")
    public void blocked(String address) {
        expectBlocked(address, true);
    }

    @Then("traffic from {word} should be unblocked")
    public void unblocked(String address) {
        expectBlocked(address, false);
    }

    private void expectBlocked(String address, boolean blocked) {
        deployment.check(Call.of(AGENT, IS_BLOCKED).param(ADDRESS, valid(address)),
                "check " + address + " is " + (blocked ? "blocked" : "unblocked"),
                reply -> Boolean.valueOf(blocked).equals(reply.get(BLOCKED)) ? null
                        : address + (blocked ? " is not blocked" : " is still blocked"));
    }

    private static String valid(String address) {
        try {
            return IpAddress.parse(address).toString();
        } catch (IllegalArgumentException e) {
            throw new AssertionError("'" + address + "' is not a valid address: " + e.getMessage());
        }
    }
}
