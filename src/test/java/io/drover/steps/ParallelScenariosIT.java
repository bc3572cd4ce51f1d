package io.drover.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.report.RunReport;
import io.drover.testing.glue.ParallelSteps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PARALLEL_CONFIG_FIXED_PARALLELISM_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PARALLEL_CONFIG_STRATEGY_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PARALLEL_EXECUTION_ENABLED_PROPERTY_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
    void twoScenariosInParallelShareNoState() throws Exception {
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
        // Both scenarios end up in the run's one fleet report, however their ends interleave.
        List<String> reported = new ArrayList<>();
        new ObjectMapper().readTree(Path.of("target", RunReport.JSON_FILE).toFile()).get("scenarios")
                .forEach(scenario -> reported.add(scenario.get("name").asText()));
        assertTrue(reported.containsAll(List.of("The German dev servers", "One US web server")), reported.toString());
    }
}
