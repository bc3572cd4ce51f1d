package io.drover.filter;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import com.google.re2j.Pattern;

/**
 * {@code path OP value}: compares a fact, found by dotted path into nested facts, with a value.
 * Numbers compare numerically when both sides are numbers, otherwise as strings. A list fact matches when
 * any element matches ({@code !=} and {@code !~}: when no element matches the positive form). A missing fact
 * never matches.
 */
record FactTerm(String path, Operator operator, String value, Pattern pattern, boolean regexLiteral) implements Expr {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,4})?");

    @Override
    public boolean matches(NodeView node, Evaluation evaluation) {
        Object fact = FactPath.resolve(node.facts(), path);
        if (fact == null || fact instanceof Map) {
            return false;
        }
        if (fact instanceof List<?> list) {
            boolean any = false;
            for (Object element : list) {
                if (element != null && !(element instanceof Map) && !(element instanceof List)
                        && positive(String.valueOf(element), evaluation)) {
                    any = true;
                    break;
                }
            }
            return operator.isNegative() != any;
        }
        return operator.isNegative() != positive(String.valueOf(fact), evaluation);
    }

    /** The comparison for the operator's positive form: != is evaluated as ==, !~ as =~. */
    private boolean positive(String fact, Evaluation evaluation) {
        switch (operator) {
            case MATCHES:
            case NOT_MATCHES:
                return evaluation.find(pattern, fact);
            case EQ:
            case NE:
                return compare(fact) == 0;
            case LT:
                return compare(fact) < 0;
            case LE:
                return compare(fact) <= 0;
            case GT:
                return compare(fact) > 0;
            case GE:
                return compare(fact) >= 0;
            default:
                throw new IllegalStateException(operator.name());
        }
    }

    private int compare(String fact) {
        if (NUMBER.matcher(fact).matches() && NUMBER.matcher(value).matches()) {
            return new BigDecimal(fact).compareTo(new BigDecimal(value));
        }
        return Integer.signum(fact.compareTo(value));
    }

    @Override
    public int precedence() {
        return TERM;
    }

    @Override
    public void render(StringBuilder out) {
        out.append(path).append(' ').append(operator.symbol()).append(' ');
        if (regexLiteral) {
            TextMatch.regex(value, pattern).render(out);
        } else {
            Quoting.append(out, value);
        }
    }
}
