package io.drover.filter;

/** Fact comparison operators. {@code =} is read as {@code ==}. */
enum Operator {
    EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), MATCHES("=~"), NOT_MATCHES("!~");

    private final String symbol;

    Operator(String symbol) {
        this.symbol = symbol;
    }

    String symbol() {
        return symbol;
    }

    boolean isRegex() {
        return this == MATCHES || this == NOT_MATCHES;
    }

    /** Negative operators hold for a list fact when no element has the positive property. */
    boolean isNegative() {
        return this == NE || this == NOT_MATCHES;
    }

    static Operator of(String symbol) {
        if (symbol.equals("=")) {
            return EQ;
        }
        for (Operator operator : values()) {
            if (operator.symbol.equals(symbol)) {
                return operator;
            }
        }
        return null;
    }
}
