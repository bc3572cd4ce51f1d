package io.drover.steps;

import io.cucumber.java.en.Given;
import io.drover.catalog.IpAddress;
import io.drover.filter.Filter;
import io.drover.filter.FilterSyntaxException;

import java.time.Duration;
import java.util.function.Function;

/** Steps that choose the hosts of a deployment and how long steps may take. */
public final class HostSteps {
    private final Deployment deployment;

    public HostSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @Given("the load balancer has ip address {word}")
    public void theLoadBalancerHasIpAddress(String address) {
        try {
            deployment.loadBalancer(IpAddress.parse(address).toString());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("The load balancer address '" + address + "' is not valid: " + e.getMessage());
        }
    }

    @Given("I want to update hosts with class {word}")
    public void withClass(String nameOrRegex) {
        narrow(nameOrRegex, Filter::ofClass, "class");
    }

    @Given("I want to update hosts with fact {word}")
    public void withFact(String comparison) {
        narrow(comparison, Filter::ofFact, "fact");
    }

    @Given("I want to update hosts with identity {word}")
    public void withIdentity(String nameOrRegex) {
        narrow(nameOrRegex, Filter::ofIdentity, "identity");
    }

    @Given("I want to update hosts with agent {word}")
    public void withAgent(String name) {
        narrow(name, Filter::ofAgent, "agent");
    }

    @Given("I want to update hosts matching {string}")
    public void matching(String expression) {
        narrow(expression, Filter::parse, "filter");
    }

    @Given("I want to pre-discover how many hosts to update")
    public void preDiscover() {
        deployment.discover();
    }

    @Given("I expect {int} host(s)")
    public void expectHosts(int count) {
        if (count < 1) {
            throw new AssertionError("Expect at least 1 host, not " + count);
        }
        deployment.expectHosts(count);
    }

    @Given("I expect the hosts listed in {word}")
    public void expectHostsListed(String file) {
        deployment.expectHostsListed(java.nio.file.Path.of(file));
    }

    @Given("each step may take up to {int} second(s)")
    public void stepTimeout(int seconds) {
        if (seconds < 1 || seconds > 86_400) {
            throw new AssertionError("A step timeout must be 1 to 86400 seconds, not " + seconds);
        }
        deployment.stepTimeout(Duration.ofSeconds(seconds));
    }

    private void narrow(String text, Function<String, Filter> parser, String kind) {
        Filter filter;
        try {
            filter = parser.apply(text);
        } catch (FilterSyntaxException e) {
            throw new AssertionError("Invalid " + kind + " '" + text + "': " + e.getMessage(), e);
        }
        deployment.addFilter(filter);
    }
}
