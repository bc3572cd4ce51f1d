package io.drover.agent.plugin;

import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The declaration of one action input, in the spirit of MCollective's DDL: name, type, required, pattern,
 * maximum length, and optionally a converter that checks and normalises the value (e.g. an IP address).
 * Immutable; the fluent methods return copies.
 */
public final class Input {
    private final String name;
    private final InputType type;
    private final boolean required;
    private final Pattern pattern;
    private final String example;
    private final int maxLength;
    private final UnaryOperator<String> converter;
    private final String description;

    private Input(String name, InputType type, boolean required, Pattern pattern, String example, int maxLength,
                  UnaryOperator<String> converter, String description) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.required = required;
        this.pattern = pattern;
        this.example = example;
        this.maxLength = maxLength;
        this.converter = converter;
        this.description = description;
    }

    /** An optional string input of at most 256 characters. */
    public static Input string(String name) {
        return new Input(name, InputType.STRING, false, null, null, 256, null, "");
    }

    /** An optional integer input. */
    public static Input integer(String name) {
        return new Input(name, InputType.INTEGER, false, null, null, 0, null, "");
    }

    /** An optional boolean input. */
    public static Input bool(String name) {
        return new Input(name, InputType.BOOLEAN, false, null, null, 0, null, "");
    }

    public Input required() {
        return new Input(name, type, true, pattern, example, maxLength, converter, description);
    }

    /** The whole value must match {@code regex}; {@code example} shows a valid value in error messages. */
    public Input matching(String regex, String example) {
        return new Input(name, type, required, Pattern.compile(regex), example, maxLength, converter, description);
    }

    public Input maxLength(int length) {
        return new Input(name, type, required, pattern, example, length, converter, description);
    }

    /**
     * Checks and normalises the value after the pattern check; the converter throws
     * {@link IllegalArgumentException} with a message saying what is wrong.
     */
    public Input convertedBy(UnaryOperator<String> check) {
        return new Input(name, type, required, pattern, example, maxLength, check, description);
    }

    public Input describedAs(String text) {
        return new Input(name, type, required, pattern, example, maxLength, converter, text);
    }

    public String name() {
        return name;
    }

    public InputType type() {
        return type;
    }

    public boolean isRequired() {
        return required;
    }

    public Pattern pattern() {
        return pattern;
    }

    public String example() {
        return example;
    }

    public int maxLength() {
        return maxLength;
    }

    UnaryOperator<String> converter() {
        return converter;
    }

    public String description() {
        return description;
    }
}
