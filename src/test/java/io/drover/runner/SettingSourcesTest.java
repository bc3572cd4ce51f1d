package io.drover.runner;

import io.drover.testing.glue.ConfiguredSuite;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The order of {@link Constants}: suite, then the test plan (launcher, -D, junit-platform.properties), then the environment. */
class SettingSourcesTest {
    private static final String STEP_TIMEOUT = Constants.STEP_TIMEOUT_PROPERTY_NAME;
    private static final Map<String, String> ENVIRONMENT = Map.of("DROVER_STEP_TIMEOUT", "13");

    private static Function<String, Optional<String>> plan(Map<String, String> parameters) {
        return name -> Optional.ofNullable(parameters.get(name));
    }

    private static Duration stepTimeout() {
        return RunnerConfig.read(SettingSources.current(), ENVIRONMENT::get).clientOptions().callTimeout();
    }

    @Test
    void theRunningSuiteWinsOverThePlanWhichWinsOverTheEnvironment() {
        Object plan = new Object();
        Object suite = new Object();
        SettingSources.enterPlan(plan, plan(Map.of(STEP_TIMEOUT, "3")));
        try {
            assertEquals(Duration.ofSeconds(3), stepTimeout());
            SettingSources.enterSuite(suite, ConfiguredSuite.class);
            try {
                assertEquals(Duration.ofSeconds(7), stepTimeout());
            } finally {
                SettingSources.leave(suite);
            }
            assertEquals(Duration.ofSeconds(3), stepTimeout());
        } finally {
            SettingSources.leave(plan);
        }
    }

    @Test
    void theEnvironmentGivesWhatNoParameterGives() {
        Object plan = new Object();
        SettingSources.enterPlan(plan, plan(Map.of()));
        try {
            assertNull(SettingSources.current().apply(STEP_TIMEOUT));
            assertEquals(Duration.ofSeconds(13), stepTimeout());
        } finally {
            SettingSources.leave(plan);
        }
    }

    @Test
    void thePlanHasTheLastWordOverOuterLayers() {
        // A launcher started by a test: its plan, not the outer run's suite, says what its scenarios see.
        Object outerSuite = new Object();
        Object innerPlan = new Object();
        SettingSources.enterSuite(outerSuite, ConfiguredSuite.class);
        SettingSources.enterPlan(innerPlan, plan(Map.of()));
        try {
            assertEquals(Duration.ofSeconds(13), stepTimeout());
        } finally {
            SettingSources.leave(innerPlan);
            SettingSources.leave(outerSuite);
        }
    }

    @Test
    void leavingAnOuterLayerLeavesWhatWasNeverLeftInsideIt() {
        Object plan = new Object();
        SettingSources.enterPlan(plan, plan(Map.of(STEP_TIMEOUT, "3")));
        SettingSources.enterSuite(new Object(), ConfiguredSuite.class);
        SettingSources.leave(plan);
        SettingSources.leave(plan);
        // What was under the plan: the run's own parameters, which give this setting only if -D does.
        assertEquals(System.getProperty(STEP_TIMEOUT), SettingSources.current().apply(STEP_TIMEOUT));
    }

    @Test
    void aSuiteGivesItsConfigurationParameters() {
        Map<String, String> parameters = SettingSources.suiteParameters(ConfiguredSuite.class);
        assertEquals("7", parameters.get(STEP_TIMEOUT));
        assertEquals("true", parameters.get("cucumber.publish.quiet"));
    }

    @Test
    void theSnapshotHoldsEveryDroverSettingGivenAndNothingElse() {
        Map<String, String> given = Map.of(STEP_TIMEOUT, "3", Constants.BROKER_PASSWORD_FILE_PROPERTY_NAME, "/etc/drover/password",
                "cucumber.glue", "io.drover.steps");
        assertEquals(Map.of(STEP_TIMEOUT, "3", Constants.BROKER_PASSWORD_FILE_PROPERTY_NAME, "/etc/drover/password"),
                SettingSources.snapshot(given::get));
    }
}
