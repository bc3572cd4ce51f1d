package io.drover;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectDirectories;
import org.junit.platform.suite.api.Suite;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;

/**
 * Runs the operators' features in {@code features/}, or those named by {@code -Dcucumber.features=...}:
 * {@code ./mvnw verify -Dcucumber.features=features/deploy.feature}. Against the broker in
 * {@code -Ddrover.broker} / {@code DROVER_BROKER}, or the sandbox when none is set.
 */
@Suite
@IncludeEngines("cucumber")
@SelectDirectories("features")
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "io.drover.steps")
@ConfigurationParameter(key = PLUGIN_PROPERTY_NAME,
        value = "pretty, summary, html:target/cucumber-report.html, json:target/cucumber-report.json, junit:target/cucumber-junit.xml")
public class DeployIT {
}
