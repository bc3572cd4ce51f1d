package io.drover.agent.plugin;

import io.drover.protocol.Names;
import io.drover.protocol.Status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks request params against an action's declared inputs before anything runs. Every input is hostile:
 * unknown names, wrong types, over-long values, control characters, pattern mismatches and values a
 * converter rejects are all refused, naming the input and what it must look like.
 */
public final class InputValidator {
    private InputValidator() {
    }

    public static Inputs validate(String agent, Action action, Map<String, Object> params) throws InvalidInputException {
        String where = agent + "." + action.name();
        for (String given : params.keySet()) {
            if (action.inputs().stream().noneMatch(input -> input.name().equals(given))) {
                String accepted = action.inputs().isEmpty() ? "it takes no inputs"
                        : "it takes: " + action.inputs().stream().map(Input::name).collect(Collectors.joining(", "));
                throw new InvalidInputException(Status.INVALID_DATA,
                        "Unknown input '" + Names.printable(given) + "' for " + where + "; " + accepted);
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Input input : action.inputs()) {
            Object raw = params.get(input.name());
            if (raw == null) {
                if (input.isRequired()) {
                    throw new InvalidInputException(Status.MISSING_DATA,
                            "Missing required input '" + input.name() + "' for " + where + example(input));
                }
                continue;
            }
            values.put(input.name(), check(where, input, raw));
        }
        return new Inputs(values);
    }

    private static Object check(String where, Input input, Object raw) throws InvalidInputException {
        String label = "Input '" + input.name() + "' of " + where;
        switch (input.type()) {
            case BOOLEAN:
                if (raw instanceof Boolean) {
                    return raw;
                }
                throw invalid(label + " must be " + InputType.BOOLEAN.description() + ", got " + describe(raw));
            case INTEGER:
                if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
                    return ((Number) raw).longValue();
                }
                if (raw instanceof BigInteger big && big.bitLength() < 64) {
                    return big.longValue();
                }
                if (raw instanceof BigDecimal decimal && decimal.stripTrailingZeros().scale() <= 0) {
                    try {
                        return decimal.longValueExact();
                    } catch (ArithmeticException ignored) {
                        // falls through to the error below
                    }
                }
                throw invalid(label + " must be " + InputType.INTEGER.description() + ", got " + describe(raw));
            case STRING:
                if (!(raw instanceof String text)) {
                    throw invalid(label + " must be " + InputType.STRING.description() + ", got " + describe(raw));
                }
                return checkString(label, input, text);
            default:
                throw new IllegalStateException(input.type().name());
        }
    }

    private static String checkString(String label, Input input, String text) throws InvalidInputException {
        if (text.length() > input.maxLength()) {
            throw invalid(label + " is " + text.length() + " characters long; at most " + input.maxLength() + " are allowed");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw invalid(label + " contains a control character at position " + i);
            }
        }
        if (input.pattern() != null && !input.pattern().matcher(text).matches()) {
            throw invalid(label + " '" + Names.printable(text) + "' is not valid" + example(input)
                    + " (pattern " + input.pattern().pattern() + ")");
        }
        if (input.converter() != null) {
            try {
                return input.converter().apply(text);
            } catch (IllegalArgumentException e) {
                throw invalid(label + " '" + Names.printable(text) + "' is not valid: " + e.getMessage());
            }
        }
        return text;
    }

    private static String example(Input input) {
        return input.example() == null ? "" : "; expected something like " + input.example();
    }

    private static String describe(Object raw) {
        if (raw instanceof String text) {
            return "the string \"" + Names.printable(text) + "\"";
        }
        if (raw instanceof Map) {
            return "an object";
        }
        if (raw instanceof Iterable) {
            return "a list";
        }
        return raw.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + Names.printable(String.valueOf(raw));
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException(Status.INVALID_DATA, message);
    }
}
