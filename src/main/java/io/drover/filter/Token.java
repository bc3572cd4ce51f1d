package io.drover.filter;

/**
 * One lexical token of a filter expression. {@code text} is unescaped for strings and the raw pattern for
 * regexes, whose flags are in {@code flags}.
 */
record Token(Kind kind, String text, int position, String flags) {
    enum Kind { WORD, STRING, REGEX, OPERATOR, LPAREN, RPAREN, BANG, END }

    Token(Kind kind, String text, int position) {
        this(kind, text, position, "");
    }

    boolean is(Kind expected) {
        return kind == expected;
    }

    boolean isKeyword(String keyword) {
        return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    /** How the token is named in error messages. */
    String describe() {
        return switch (kind) {
            case END -> "end of filter";
            case STRING -> "\"" + text + "\"";
            case REGEX -> "/" + text + "/" + flags;
            default -> "'" + text + "'";
        };
    }
}
