package io.drover.steps;

import io.drover.testing.glue.ParallelSteps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PARALLEL_CONFIG_FIXED_PARALLELISM_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PARALLEL_CONFIG_STRATEGY_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PARALLEL_EXECUTION_ENABLED_PROPERTY_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectFile;

/**
 * Two scenarios run at the same time on the sandbox, each choosing its own hosts and load balancer, meeting half-way
 * so both have chosen before either goes on: each still sees only its own choices, in a deployment of its own.
 */
class ParallelScenariosIT {
    private static final Path FEATURE = Path.of("src/test/resources/io/drover/parallel/two-deploys.feature");

    @BeforeEach
    @AfterEach
    void forget() {
        ParallelSteps.reset();
    }

    @Test
    void twoScenariosInParallelShareNoState() {
        EngineExecutionResults results = EngineTestKit.engine("cucumber")
                .configurationParameter(GLUE_PROPERTY_NAME, "io.drover.steps, io.drover.testing.glue")
                .configurationParameter(PARALLEL_EXECUTION_ENABLED_PROPERTY_NAME, "true")
                .configurationParameter(PARALLEL_CONFIG_STRATEGY_PROPERTY_NAME, "fixed")
                .configurationParameter(PARALLEL_CONFIG_FIXED_PARALLELISM_PROPERTY_NAME, "2")
                .configurationParameter("cucumber.publish.quiet", "true")
                .selectors(selectFile(FEATURE.toFile()))
                .execute();
        String failures = results.testEvents().failed().stream()
                .map(event -> event.getTestDescriptor().getDisplayName() + ": " + event.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable).map(Throwable::getMessage).orElse(""))
                .collect(Collectors.joining("\n"));
        assertEquals(2, results.testEvents().succeeded().count(), failures);
        Map<String, Integer> deployments = ParallelSteps.reset();
        assertEquals(2, deployments.size(), deployments.toString());
        assertEquals(2, deployments.values().stream().distinct().count(), "each scenario has a deployment of its own: " + deployments);
    }
}
