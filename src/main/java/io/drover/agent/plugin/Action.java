package io.drover.agent.plugin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An action of an agent plugin: its declared inputs and outputs, and the handler that runs it.
 *
 * @param name        action name, e.g. {@code block}
 * @param description one line for the step reference and {@code inventory}
 * @param inputs      declared inputs; anything else in a request is refused
 * @param outputs     output names and their meaning, for documentation
 * @param handler     runs the action
 */
public record Action(String name, String description, List<Input> inputs, Map<String, String> outputs, ActionHandler handler) {
    public Action {
        Objects.requireNonNull(name, "name");
        inputs = List.copyOf(inputs);
        outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        Objects.requireNonNull(handler, "handler");
    }

    public static Builder named(String name, String description) {
        return new Builder(name, description);
    }

    /** Fluent construction of an action declaration. */
    public static final class Builder {
        private final String name;
        private final String description;
        private final List<Input> inputs = new java.util.ArrayList<>();
        private final Map<String, String> outputs = new LinkedHashMap<>();

        private Builder(String name, String description) {
            this.name = name;
            this.description = description;
        }

        public Builder input(Input input) {
            inputs.add(input);
            return this;
        }

        public Builder output(String name, String meaning) {
            outputs.put(name, meaning);
            return this;
        }

        public Action handledBy(ActionHandler handler) {
            return new Action(name, description, inputs, outputs, handler);
        }
    }
}
