package io.drover.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import io.drover.client.Call;

/** Steps for the {@code package} agent. Installing what is installed passes with {@code changed=false}. */
public final class PackageSteps {
    private final Deployment deployment;

    public PackageSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @When("I update the package {word}")
    public void update(String pkg) {
        deployment.act(Call.of("package", "update").param("package", pkg), "update " + pkg);
    }

    @When("I install the package {word}")
    public void install(String pkg) {
        deployment.act(Call.of("package", "install").param("package", pkg), "install " + pkg);
    }

    @When("I install version {word} of the package {word}")
    public void installVersion(String version, String pkg) {
        deployment.act(Call.of("package", "install").param("package", pkg).param("version", version),
                "install " + pkg + " " + version);
    }

    @When("I uninstall the package {word}")
    public void uninstall(String pkg) {
        deployment.act(Call.of("package", "uninstall").param("package", pkg), "uninstall " + pkg);
    }

    @Then("the package version for {word} should be {word}")
    public void versionShouldBe(String pkg, String version) {
        deployment.check(Call.of("package", "status").param("package", pkg),
                "check " + pkg + " is " + version,
                reply -> {
                    if (!Boolean.TRUE.equals(reply.get("installed"))) {
                        return pkg + " is not installed; expected " + version;
                    }
                    return version.equals(reply.get("version")) ? null
                            : pkg + " " + reply.get("version") + " is installed; expected " + version;
                });
    }

    @Then("the package {word} should be installed")
    public void installed(String pkg) {
        deployment.check(Call.of("package", "status").param("package", pkg), "check " + pkg + " is installed",
                reply -> Boolean.TRUE.equals(reply.get("installed")) ? null : pkg + " is not installed");
    }

    @Then("the package {word} should not be installed")
    public void notInstalled(String pkg) {
        deployment.check(Call.of("package", "status").param("package", pkg), "check " + pkg + " is not installed",
                reply -> Boolean.TRUE.equals(reply.get("installed")) ? pkg + " " + reply.get("version") + " is installed" : null);
    }
}
