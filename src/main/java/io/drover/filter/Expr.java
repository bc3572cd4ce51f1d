package io.drover.filter;

import java.util.List;

/** A node of a parsed filter. Renders itself back into the canonical filter syntax. */
sealed interface Expr permits Expr.And, Expr.Or, Expr.Not, ClassTerm, IdentityTerm, AgentTerm, FactTerm {
    int OR = 1;
    int AND = 2;
    int NOT = 3;
    int TERM = 4;

    boolean matches(NodeView node, Evaluation evaluation);

    /** Binding strength, to know where parentheses are needed. */
    int precedence();

    void render(StringBuilder out);

    default void renderWithin(StringBuilder out, int outerPrecedence) {
        if (precedence() < outerPrecedence) {
            out.append('(');
            render(out);
            out.append(')');
        } else {
            render(out);
        }
    }

    record And(List<Expr> operands) implements Expr {
        public And {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean matches(NodeView node, Evaluation evaluation) {
            for (Expr operand : operands) {
                if (!operand.matches(node, evaluation)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int precedence() {
            return AND;
        }

        @Override
        public void render(StringBuilder out) {
            for (int i = 0; i < operands.size(); i++) {
                if (i > 0) {
                    out.append(" and ");
                }
                // A nested "and" keeps its parentheses, so rendering and re-parsing gives the same tree.
                operands.get(i).renderWithin(out, operands.get(i) instanceof And ? TERM : AND);
            }
        }
    }

    record Or(List<Expr> operands) implements Expr {
        public Or {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean matches(NodeView node, Evaluation evaluation) {
            for (Expr operand : operands) {
                if (operand.matches(node, evaluation)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public int precedence() {
            return OR;
        }

        @Override
        public void render(StringBuilder out) {
            for (int i = 0; i < operands.size(); i++) {
                if (i > 0) {
                    out.append(" or ");
                }
                operands.get(i).renderWithin(out, operands.get(i) instanceof Or ? AND : OR);
            }
        }
    }

    record Not(Expr operand) implements Expr {
        @Override
        public boolean matches(NodeView node, Evaluation evaluation) {
            return !operand.matches(node, evaluation);
        }

        @Override
        public int precedence() {
            return NOT;
        }

        @Override
        public void render(StringBuilder out) {
            out.append("not ");
            operand.renderWithin(out, NOT);
        }
    }
}
