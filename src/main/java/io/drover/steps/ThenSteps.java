package io.drover.steps;

import io.cucumber.java.en.Then;

import java.util.List;

/**
 * The built-in Then steps of some step objects, found by their own {@code @Then} expressions, so that one step
 * ({@code within N seconds ...}) can run any of them: a new Then step works under {@code within} with no change here.
 */
final class ThenSteps {
    private final StepLibrary library;

    ThenSteps(List<Object> stepObjects) {
        this.library = new StepLibrary(stepObjects);
    }

    /** The Then step {@code text} names, e.g. "the service httpd should be running", ready to run. */
    Runnable find(String text) {
        List<StepLibrary.Match> found = library.matches(text).stream().filter(match -> isThen(match.definition())).toList();
        List<String> names = found.stream().map(match -> match.definition().expression().getSource()).toList();
        if (found.isEmpty()) {
            List<String> known = library.definitions().stream().filter(ThenSteps::isThen)
                    .map(definition -> definition.expression().getSource()).sorted().toList();
            throw new AssertionError("'within' must be followed by a built-in Then step; '" + text + "' is none of:\n  "
                    + String.join("\n  ", known));
        }
        if (found.size() > 1) {
            throw new AssertionError("'" + text + "' matches several Then steps: " + String.join(", ", names));
        }
        return found.get(0)::run;
    }

    private static boolean isThen(StepLibrary.Definition definition) {
        return definition.method().isAnnotationPresent(Then.class);
    }
}

