package io.drover.catalog;

import io.drover.protocol.Names;
import io.drover.protocol.Status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Checks request params against an action's declared inputs before anything runs, on the node, and before
 * anything is sent, in the runner. Every input is hostile: unknown names, wrong types, over-long values, control
 * characters, pattern mismatches, malformed addresses and values a node-side check rejects are all refused,
 * naming the input and what it must look like.
 */
public final class InputValidator {
    private InputValidator() {
    }

    /** Validates {@code params} against {@code action} of {@code agent}; absent inputs with a default get it. */
    public static Inputs validate(String agent, ActionSpec action, Map<String, Object> params) {
        return validate(agent, action, params, Map.of());
    }

    /**
     * Like {@link #validate(String, ActionSpec, Map)}, then runs the node-side {@code checks} (by input name) on
     * string values that passed the catalog: facts only the node knows, such as which checks are defined on it.
     * A check throws {@link IllegalArgumentException} saying what is wrong, and returns the value to use.
     */
    public static Inputs validate(String agent, ActionSpec action, Map<String, Object> params,
                                  Map<String, UnaryOperator<String>> checks) {
        String where = agent + "." + action.name();
        for (String given : params.keySet()) {
            if (action.input(given) == null) {
                String accepted = action.inputs().isEmpty() ? "it takes no inputs"
                        : "it takes: " + action.inputs().stream().map(InputSpec::name).collect(Collectors.joining(", "));
                throw new InvalidInputException(Status.INVALID_DATA,
                        "Unknown input '" + Names.printable(given) + "' for " + where + "; " + accepted);
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (InputSpec input : action.inputs()) {
            Object raw = params.get(input.name());
            if (raw == null) {
                if (input.isRequired()) {
                    throw new InvalidInputException(Status.MISSING_DATA,
                            "Missing required input '" + input.name() + "' for " + where + example(input));
                }
                raw = input.defaultValue();
                if (raw == null) {
                    continue;
                }
            }
            String label = "Input '" + input.name() + "' of " + where;
            Object value = check(label, input, raw);
            UnaryOperator<String> nodeCheck = checks.get(input.name());
            if (nodeCheck != null && value instanceof String text) {
                value = converted(label, text, nodeCheck);
            }
            values.put(input.name(), value);
        }
        return new Inputs(values);
    }

    static Object check(String label, InputSpec input, Object raw) {
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
            case IP_ADDRESS:
                if (!(raw instanceof String text)) {
                    throw invalid(label + " must be " + input.type().description() + ", got " + describe(raw));
                }
                String checked = checkString(label, input, text);
                return input.type() == InputType.IP_ADDRESS
                        ? converted(label, checked, value -> IpAddress.parse(value).toString()) : checked;
            default:
                throw new IllegalStateException(input.type().name());
        }
    }

    private static String checkString(String label, InputSpec input, String text) {
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
        return text;
    }

    private static String converted(String label, String text, UnaryOperator<String> converter) {
        try {
            return converter.apply(text);
        } catch (IllegalArgumentException e) {
            throw invalid(label + " '" + Names.printable(text) + "' is not valid: " + e.getMessage());
        }
    }

    private static String example(InputSpec input) {
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
