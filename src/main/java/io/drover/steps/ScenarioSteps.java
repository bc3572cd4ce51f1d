package io.drover.steps;

import io.cucumber.gherkin.GherkinParser;
import io.cucumber.messages.types.Background;
import io.cucumber.messages.types.Envelope;
import io.cucumber.messages.types.Examples;
import io.cucumber.messages.types.FeatureChild;
import io.cucumber.messages.types.GherkinDocument;
import io.cucumber.messages.types.Pickle;
import io.cucumber.messages.types.RuleChild;
import io.cucumber.messages.types.Scenario;
import io.cucumber.messages.types.Step;
import io.cucumber.messages.types.TableRow;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of a running scenario, background included, in the order Cucumber runs them, read again from its feature
 * file: Cucumber's {@code Scenario} names the file and line but not the steps, and a batch step needs the steps after
 * it to run them once per batch.
 */
final class ScenarioSteps {
    /** A feature file larger than this is refused: nobody writes one, and it would be read whole. */
    static final int MAX_FEATURE_BYTES = 4 * 1024 * 1024;

    /**
     * One step as Cucumber runs it.
     *
     * @param keyword  as written, e.g. "When", "And"
     * @param text     the step's text after the keyword, outline parameters filled in
     * @param line     its line in the feature file
     * @param argument whether it has a doc string or data table
     */
    record StepLine(String keyword, String text, int line, boolean argument) {
        /** "When I update the package mywebapp". */
        String named() {
            return keyword + " " + text;
        }
    }

    private ScenarioSteps() {
    }

    /** The steps of the scenario (or outline example) at {@code line} of the feature at {@code uri}. */
    static List<StepLine> of(URI uri, int line) {
        byte[] source = read(uri);
        List<Envelope> envelopes = GherkinParser.builder().includeSource(false).includeGherkinDocument(true).includePickles(true)
                .build().parse(uri.toString(), source).toList();
        Map<String, Integer> lines = new HashMap<>();
        Map<String, String> keywords = new HashMap<>();
        for (Envelope envelope : envelopes) {
            envelope.getGherkinDocument().ifPresent(document -> index(document, lines, keywords));
            envelope.getParseError().ifPresent(error -> {
                throw new AssertionError(uri + " no longer parses (" + error.getMessage() + "); the feature file changed while it ran");
            });
        }
        for (Envelope envelope : envelopes) {
            Pickle pickle = envelope.getPickle().orElse(null);
            if (pickle == null || pickle.getAstNodeIds().isEmpty()) {
                continue;
            }
            // A scenario's pickle points at its scenario; an outline example's at its scenario and then its row.
            Integer at = lines.get(pickle.getAstNodeIds().get(pickle.getAstNodeIds().size() - 1));
            if (at == null || at != line) {
                continue;
            }
            List<StepLine> steps = new ArrayList<>();
            for (var step : pickle.getSteps()) {
                String id = step.getAstNodeIds().get(0);
                steps.add(new StepLine(keywords.getOrDefault(id, "*").strip(), step.getText(), lines.getOrDefault(id, 0),
                        step.getArgument().isPresent()));
            }
            return steps;
        }
        throw new AssertionError("No scenario at line " + line + " of " + uri + "; the feature file changed while it ran");
    }

    private static byte[] read(URI uri) {
        try {
            if ("file".equals(uri.getScheme())) {
                Path path = Path.of(uri);
                if (Files.size(path) > MAX_FEATURE_BYTES) {
                    throw new AssertionError(uri + " is larger than " + MAX_FEATURE_BYTES + " bytes; split the feature");
                }
                return Files.readAllBytes(path);
            }
            if ("classpath".equals(uri.getScheme())) {
                String resource = uri.getSchemeSpecificPart().replaceFirst("^/+", "");
                ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader() : ScenarioSteps.class.getClassLoader();
                try (InputStream in = loader.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new AssertionError("Cannot read the running feature " + uri + " from the class path");
                    }
                    byte[] bytes = in.readNBytes(MAX_FEATURE_BYTES + 1);
                    if (bytes.length > MAX_FEATURE_BYTES) {
                        throw new AssertionError(uri + " is larger than " + MAX_FEATURE_BYTES + " bytes; split the feature");
                    }
                    return bytes;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("Cannot read the running feature " + uri + ": " + e.getMessage(), e);
        }
        throw new AssertionError("A batch step needs its feature as a file or class path resource, not " + uri);
    }

    private static void index(GherkinDocument document, Map<String, Integer> lines, Map<String, String> keywords) {
        document.getFeature().ifPresent(feature -> {
            for (FeatureChild child : feature.getChildren()) {
                child.getBackground().ifPresent(background -> index(background, lines, keywords));
                child.getScenario().ifPresent(scenario -> index(scenario, lines, keywords));
                child.getRule().ifPresent(rule -> {
                    for (RuleChild ruleChild : rule.getChildren()) {
                        ruleChild.getBackground().ifPresent(background -> index(background, lines, keywords));
                        ruleChild.getScenario().ifPresent(scenario -> index(scenario, lines, keywords));
                    }
                });
            }
        });
    }

    private static void index(Background background, Map<String, Integer> lines, Map<String, String> keywords) {
        background.getSteps().forEach(step -> index(step, lines, keywords));
    }

    private static void index(Scenario scenario, Map<String, Integer> lines, Map<String, String> keywords) {
        lines.put(scenario.getId(), scenario.getLocation().getLine().intValue());
        scenario.getSteps().forEach(step -> index(step, lines, keywords));
        for (Examples examples : scenario.getExamples()) {
            for (TableRow row : examples.getTableBody()) {
                lines.put(row.getId(), row.getLocation().getLine().intValue());
            }
        }
    }

    private static void index(Step step, Map<String, Integer> lines, Map<String, String> keywords) {
        lines.put(step.getId(), step.getLocation().getLine().intValue());
        keywords.put(step.getId(), step.getKeyword());
    }
}
