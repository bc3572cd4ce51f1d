package io.drover;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectClasspathResource;
import org.junit.platform.suite.api.Suite;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;

/** The step library's own features, run in the sandbox: every filter kind, services, checks, packages, firewall. */
@Suite
@IncludeEngines("cucumber")
@SelectClasspathResource("io/drover/steps/library")
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "io.drover.steps")
@ConfigurationParameter(key = PLUGIN_PROPERTY_NAME, value = "pretty, html:target/cucumber-steps-report.html")
public class StepLibraryIT {
}
