package io.drover.catalog;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One action of an agent's catalog: what it does, the inputs it takes (anything else in a request is refused)
 * and the outputs its reply carries.
 *
 * @param name        action name, e.g. {@code block}
 * @param description one line for the catalog text and {@code inventory}
 * @param inputs      declared inputs, in the order they are documented
 * @param outputs     declared outputs, in the order they are documented
 */
public record ActionSpec(String name, String description, List<InputSpec> inputs, List<OutputSpec> outputs) {
    public ActionSpec {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        requireUnique(name, inputs.stream().map(InputSpec::name).toList(), "input");
        requireUnique(name, outputs.stream().map(OutputSpec::name).toList(), "output");
    }

    public static Builder named(String name, String description) {
        return new Builder(name, description);
    }

    /** The declared input {@code name}, or {@code null}. */
    public InputSpec input(String inputName) {
        return inputs.stream().filter(input -> input.name().equals(inputName)).findFirst().orElse(null);
    }

    /** The declared output {@code name}, or {@code null}. */
    public OutputSpec output(String outputName) {
        return outputs.stream().filter(output -> output.name().equals(outputName)).findFirst().orElse(null);
    }

    private static void requireUnique(String action, List<String> names, String kind) {
        Set<String> seen = new HashSet<>();
        for (String each : names) {
            if (!seen.add(each)) {
                throw new IllegalArgumentException("Action " + action + " declares the " + kind + " '" + each + "' twice");
            }
        }
    }

    /** Fluent construction of an action declaration. */
    public static final class Builder {
        private final String name;
        private final String description;
        private final List<InputSpec> inputs = new ArrayList<>();
        private final List<OutputSpec> outputs = new ArrayList<>();

        private Builder(String name, String description) {
            this.name = name;
            this.description = description;
        }

        public Builder input(InputSpec input) {
            inputs.add(input);
            return this;
        }

        public Builder output(String outputName, OutputType type, String description) {
            outputs.add(new OutputSpec(outputName, type, description));
            return this;
        }

        public ActionSpec build() {
            return new ActionSpec(name, description, inputs, outputs);
        }
    }
}
