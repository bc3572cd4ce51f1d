package io.drover.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectFile;

/** Runs a feature file through the Cucumber engine in this JVM and reads back what happened to each step. */
public final class FeatureRun {
    private final EngineExecutionResults results;
    private final JsonNode report;

    private FeatureRun(EngineExecutionResults results, JsonNode report) {
        this.results = results;
        this.report = report;
    }

    public static FeatureRun of(Path feature, Path reportDir, String name) throws IOException {
        return of(feature, reportDir, name, true, List.of());
    }

    /** Runs a feature; {@code pretty} prints it as it runs (benchmarks turn that off). */
    public static FeatureRun of(Path feature, Path reportDir, String name, boolean pretty) throws IOException {
        return of(feature, reportDir, name, pretty, List.of());
    }

    /**
     * Runs {@code feature} with the reports in {@code reportDir} and these {@code plugins} as well, e.g. a
     * {@code io.cucumber.plugin.ConcurrentEventListener} class name that acts after certain steps.
     */
    public static FeatureRun of(Path feature, Path reportDir, String name, List<String> plugins) throws IOException {
        return of(feature, reportDir, name, true, plugins);
    }

    private static FeatureRun of(Path feature, Path reportDir, String name, boolean pretty, List<String> plugins) throws IOException {
        Files.createDirectories(reportDir);
        Path json = reportDir.resolve(name + ".json");
        StringBuilder pluginList = new StringBuilder((pretty ? "pretty, " : "") + "json:" + json + ", html:"
                + reportDir.resolve(name + ".html") + ", junit:" + reportDir.resolve(name + ".xml"));
        plugins.forEach(plugin -> pluginList.append(", ").append(plugin));
        EngineExecutionResults results = EngineTestKit.engine("cucumber")
                .configurationParameter(GLUE_PROPERTY_NAME, "io.drover.steps")
                .configurationParameter(PLUGIN_PROPERTY_NAME, pluginList.toString())
                .configurationParameter("cucumber.publish.quiet", "true")
                .selectors(selectFile(feature.toFile()))
                .execute();
        return new FeatureRun(results, new ObjectMapper().readTree(json.toFile()));
    }

    public long failedScenarios() {
        return results.testEvents().failed().count();
    }

    public long passedScenarios() {
        return results.testEvents().succeeded().count();
    }

    /** The failure message of the first failed scenario. */
    public Optional<String> failureMessage() {
        return results.testEvents().failed().stream().findFirst().flatMap(Event::getPayload)
                .flatMap(payload -> payload instanceof org.junit.platform.engine.TestExecutionResult result
                        ? result.getThrowable() : Optional.empty())
                .map(Throwable::getMessage);
    }

    /** Step text (keyword and name) to its status, in order, for the scenario steps of the first scenario. */
    public Map<String, String> stepStatuses() {
        Map<String, String> statuses = new LinkedHashMap<>();
        for (Step step : steps()) {
            statuses.put(step.text(), step.status());
        }
        return statuses;
    }

    /** The time the steps of every scenario took, as Cucumber measured them (engine start-up excluded). */
    public long totalStepNanos() {
        return steps().stream().mapToLong(step -> step.duration().toNanos()).sum();
    }

    /**
     * One step as the JSON report has it.
     *
     * @param text        keyword and name, e.g. "When I block the load balancer"
     * @param status      passed, failed, skipped, ...
     * @param duration    how long it ran (zero for a skipped step)
     * @param attachments the text the step attached, e.g. Drover's per-host tables
     */
    public record Step(String text, String status, Duration duration, List<String> attachments) {
    }

    /** The background and scenario steps of the first feature, in order. */
    public List<Step> steps() {
        List<Step> steps = new ArrayList<>();
        for (JsonNode element : report.get(0).get("elements")) {
            for (JsonNode step : element.get("steps")) {
                List<String> attachments = new ArrayList<>();
                for (JsonNode embedding : step.path("embeddings")) {
                    attachments.add(new String(Base64.getDecoder().decode(embedding.path("data").asText()), StandardCharsets.UTF_8));
                }
                steps.add(new Step(step.get("keyword").asText().trim() + " " + step.get("name").asText(),
                        step.get("result").get("status").asText(), Duration.ofNanos(step.get("result").path("duration").asLong()),
                        List.copyOf(attachments)));
            }
        }
        return steps;
    }

    /** The text attached by the after hooks of the first feature's scenarios, e.g. Drover's late replies table. */
    public List<String> afterHookAttachments() {
        List<String> attachments = new ArrayList<>();
        for (JsonNode element : report.get(0).get("elements")) {
            for (JsonNode hook : element.path("after")) {
                for (JsonNode embedding : hook.path("embeddings")) {
                    attachments.add(new String(Base64.getDecoder().decode(embedding.path("data").asText()), StandardCharsets.UTF_8));
                }
            }
        }
        return attachments;
    }

    public List<String> stepsWithStatus(String status) {
        return stepStatuses().entrySet().stream().filter(e -> e.getValue().equals(status)).map(Map.Entry::getKey).toList();
    }
}
