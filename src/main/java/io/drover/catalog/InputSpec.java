package io.drover.catalog;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The declaration of one action input, in the spirit of MCollective's DDL: name, type, whether it is required,
 * a default, a pattern with an example, a maximum length and a description. Immutable; the fluent methods
 * return copies.
 */
public final class InputSpec {
    /** The longest string input unless declared otherwise. */
    static final int DEFAULT_MAX_LENGTH = 256;
    /** The longest address literal: a full IPv6 network with an embedded IPv4 tail fits well within it. */
    static final int ADDRESS_MAX_LENGTH = 64;

    private final String name;
    private final InputType type;
    private final boolean required;
    private final Object defaultValue;
    private final Pattern pattern;
    private final String example;
    private final int maxLength;
    private final String description;

    private InputSpec(String name, InputType type, boolean required, Object defaultValue, Pattern pattern, String example,
                      int maxLength, String description) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.required = required;
        this.defaultValue = defaultValue;
        this.pattern = pattern;
        this.example = example;
        this.maxLength = maxLength;
        this.description = description;
    }

    /** An optional string input of at most 256 characters. */
    public static InputSpec string(String name) {
        return new InputSpec(name, InputType.STRING, false, null, null, null, DEFAULT_MAX_LENGTH, "");
    }

    /** An optional integer input. */
    public static InputSpec integer(String name) {
        return new InputSpec(name, InputType.INTEGER, false, null, null, null, 0, "");
    }

    /** An optional boolean input. */
    public static InputSpec bool(String name) {
        return new InputSpec(name, InputType.BOOLEAN, false, null, null, null, 0, "");
    }

    /** An optional IPv4 or IPv6 address or network of at most 64 characters, passed on in canonical form. */
    public static InputSpec ipAddress(String name) {
        return new InputSpec(name, InputType.IP_ADDRESS, false, null, null, null, ADDRESS_MAX_LENGTH, "");
    }

    public InputSpec required() {
        if (defaultValue != null) {
            throw new IllegalStateException("input " + name + " has a default, so it cannot be required");
        }
        return new InputSpec(name, type, true, null, pattern, example, maxLength, description);
    }

    /**
     * The value used when a request leaves the input out; it must itself be valid.
     *
     * @throws IllegalArgumentException if the default is not a valid value of this input
     */
    public InputSpec defaultingTo(Object value) {
        if (required) {
            throw new IllegalStateException("input " + name + " is required, so it cannot have a default");
        }
        InputSpec declared = new InputSpec(name, type, false, Objects.requireNonNull(value, "value"), pattern, example,
                maxLength, description);
        try {
            InputValidator.check("the declaration of input '" + name + "'", declared, value);
        } catch (InvalidInputException e) {
            throw new IllegalArgumentException("Default of input '" + name + "' is not valid: " + e.getMessage(), e);
        }
        return declared;
    }

    /** The whole value must match {@code regex}; {@code example} shows a valid value in error messages. */
    public InputSpec matching(String regex, String example) {
        return new InputSpec(name, type, required, defaultValue, Pattern.compile(regex), example, maxLength, description);
    }

    public InputSpec maxLength(int length) {
        return new InputSpec(name, type, required, defaultValue, pattern, example, length, description);
    }

    public InputSpec describedAs(String text) {
        return new InputSpec(name, type, required, defaultValue, pattern, example, maxLength, text);
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

    /** The value used when the input is left out, or {@code null} for none. */
    public Object defaultValue() {
        return defaultValue;
    }

    /** The pattern the whole value must match, or {@code null}. */
    public Pattern pattern() {
        return pattern;
    }

    /** A valid value, shown in error messages, or {@code null}. */
    public String example() {
        return example;
    }

    /** The longest value allowed, for string types; 0 for the others. */
    public int maxLength() {
        return maxLength;
    }

    public String description() {
        return description;
    }
}
