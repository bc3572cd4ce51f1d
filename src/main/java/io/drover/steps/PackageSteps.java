package io.drover.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import io.drover.client.Call;

import static io.drover.catalog.PackageCatalog.AGENT;
import static io.drover.catalog.PackageCatalog.INSTALL;
import static io.drover.catalog.PackageCatalog.INSTALLED;
import static io.drover.catalog.PackageCatalog.PACKAGE;
import static io.drover.catalog.PackageCatalog.STATUS;
import static io.drover.catalog.PackageCatalog.UNINSTALL;
import static io.drover.catalog.PackageCatalog.UPDATE;
import static io.drover.catalog.PackageCatalog.VERSION;

/** Steps for the {@code package} agent. Installing what is installed passes with {@code changed=false}. */
public final class PackageSteps {
    private final Deployment deployment;

    public PackageSteps(Deployment deployment) {
        this.deployment = deployment;
    }

    @When("I update the package {word}")
    public void update(String pkg) {
        deployment.act(Call.of(AGENT, UPDATE).param(PACKAGE, pkg), "update " + pkg);
    }

    @When("I install the package {word}")
    public void install(String pkg) {
        deployment.act(Call.of(AGENT, INSTALL).param(PACKAGE, pkg), "install " + pkg);
    }

    @When("I install version {word} of the package {word}")
    public void installVersion(String version, String pkg) {
        deployment.act(Call.of(AGENT, INSTALL).param(PACKAGE, pkg).param(VERSION, version),
                "install " + pkg + " " + version);
    }

    @When("I uninstall the package {word}")
    public void uninstall(String pkg) {
        deployment.act(Call.of(AGENT, UNINSTALL).param(PACKAGE, pkg), "uninstall " + pkg);
    }

    @Then("the package version for {word} should be {word}")
    public void versionShouldBe(String pkg, String version) {
        deployment.check(Call.of(AGENT, STATUS).param(PACKAGE, pkg),
                "check " + pkg + " is " + version,
                reply -> {
                    if (!Boolean.TRUE.equals(reply.get(INSTALLED))) {
                        return pkg + " is not installed; expected " + version;
                    }
                    return version.equals(reply.get(VERSION)) ? null
                            : pkg + " " + reply.get(VERSION) + " is installed; expected " + version;
                });
    }

    @Then("the package {word} should be installed")
    public void installed(String pkg) {
        deployment.check(Call.of(AGENT, STATUS).param(PACKAGE, pkg), "check " + pkg + " is installed",
                reply -> Boolean.TRUE.equals(reply.get(INSTALLED)) ? null : pkg + " is not installed");
    }

    @Then("the package {word} should not be installed")
    public void notInstalled(String pkg) {
        deployment.check(Call.of(AGENT, STATUS).param(PACKAGE, pkg), "check " + pkg + " is not installed",
                reply -> Boolean.TRUE.equals(reply.get(INSTALLED)) ? pkg + " " + reply.get(VERSION) + " is installed" : null);
    }
}
