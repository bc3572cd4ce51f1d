package io.drover.filter;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * One evaluation of a filter against one node, with a time budget: filters arrive from the network, and even
 * a linear-time regex over a long fact must not pin an agent's thread.
 */
final class Evaluation {
    private final long deadlineNanos;

    Evaluation(long budgetNanos) {
        this.deadlineNanos = System.nanoTime() + budgetNanos;
    }

    boolean find(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(new BoundedText(text, this));
        return matcher.find();
    }

    void checkTime() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new BudgetExceeded();
        }
    }

    /** Thrown out of a regex match that ran past the budget. */
    static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super("filter evaluation exceeded its time budget", null, false, false);
        }
    }

    /** Text that checks the clock as the regex engine walks it. */
    private static final class BoundedText implements CharSequence {
        private final String text;
        private final Evaluation evaluation;
        private int reads;

        BoundedText(String text, Evaluation evaluation) {
            this.text = text;
            this.evaluation = evaluation;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 0xff) == 0) {
                evaluation.checkTime();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BoundedText(text.substring(start, end), evaluation);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
