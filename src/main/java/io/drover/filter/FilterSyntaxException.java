package io.drover.filter;

/**
 * A filter expression that cannot be parsed. The message names the position and shows it under the expression.
 */
public class FilterSyntaxException extends IllegalArgumentException {
    private final String expression;
    private final int position;
    private final String problem;

    FilterSyntaxException(String expression, int position, String problem) {
        super(format(expression, position, problem));
        this.expression = expression;
        this.position = position;
        this.problem = problem;
    }

    /** The expression as given. */
    public String expression() {
        return expression;
    }

    /** Zero-based character position of the problem. */
    public int position() {
        return position;
    }

    /** The problem without the expression and caret. */
    public String problem() {
        return problem;
    }

    private static String format(String expression, int position, String problem) {
        String shown = expression.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
        if (shown.length() > 200) {
            return problem + " at position " + position + " of a " + expression.length() + "-character filter";
        }
        return problem + " at position " + position + ":\n  " + shown + "\n  " + " ".repeat(Math.max(0, position)) + "^";
    }
}
