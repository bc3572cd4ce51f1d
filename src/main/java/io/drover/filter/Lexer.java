package io.drover.filter;

import java.util.ArrayList;
import java.util.List;

/** Splits a filter expression into tokens. */
final class Lexer {
    /** Characters that end a bare word; they start operators, parentheses or quoted text. */
    private static final String WORD_STOP = "()!=<>\"'";

    private final String input;
    private int pos;

    private Lexer(String input) {
        this.input = input;
    }

    static List<Token> tokenize(String input) {
        return new Lexer(input).run();
    }

    /** True if {@code text} reads back as exactly one word token. */
    static boolean isBareWord(String text) {
        if (text.isEmpty() || text.charAt(0) == '/') {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || WORD_STOP.indexOf(c) >= 0 || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    private List<Token> run() {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            while (pos < input.length() && Character.isWhitespace(input.charAt(pos))) {
                pos++;
            }
            if (pos >= input.length()) {
                tokens.add(new Token(Token.Kind.END, "", pos));
                return tokens;
            }
            tokens.add(next());
        }
    }

    private Token next() {
        int start = pos;
        char c = input.charAt(pos);
        switch (c) {
            case '(':
                pos++;
                return new Token(Token.Kind.LPAREN, "(", start);
            case ')':
                pos++;
                return new Token(Token.Kind.RPAREN, ")", start);
            case '"':
            case '\'':
                return quoted(c);
            case '/':
                return regex();
            case '=':
            case '!':
            case '<':
            case '>':
                return operator();
            default:
                if (Character.isISOControl(c)) {
                    throw new FilterSyntaxException(input, start, "Control character \\x" + Integer.toHexString(c) + " is not allowed");
                }
                return word();
        }
    }

    private Token operator() {
        int start = pos;
        String two = input.startsWith("==", pos) || input.startsWith("!=", pos) || input.startsWith("<=", pos)
                || input.startsWith(">=", pos) || input.startsWith("=~", pos) || input.startsWith("!~", pos)
                ? input.substring(pos, pos + 2) : null;
        if (two != null) {
            pos += 2;
            return new Token(Token.Kind.OPERATOR, two, start);
        }
        char c = input.charAt(pos++);
        if (c == '!') {
            return new Token(Token.Kind.BANG, "!", start);
        }
        return new Token(Token.Kind.OPERATOR, String.valueOf(c), start);
    }

    private Token word() {
        int start = pos;
        while (pos < input.length()) {
            char c = input.charAt(pos);
            if (Character.isWhitespace(c) || WORD_STOP.indexOf(c) >= 0 || Character.isISOControl(c)) {
                break;
            }
            pos++;
        }
        return new Token(Token.Kind.WORD, input.substring(start, pos), start);
    }

    private Token quoted(char quote) {
        int start = pos++;
        StringBuilder text = new StringBuilder();
        while (pos < input.length()) {
            char c = input.charAt(pos++);
            if (c == quote) {
                return new Token(Token.Kind.STRING, text.toString(), start);
            }
            if (c == '\\' && pos < input.length()) {
                char escaped = input.charAt(pos);
                if (escaped == quote || escaped == '\\') {
                    text.append(escaped);
                    pos++;
                    continue;
                }
            }
            if (Character.isISOControl(c)) {
                throw new FilterSyntaxException(input, pos - 1, "Control character in quoted text");
            }
            text.append(c);
        }
        throw new FilterSyntaxException(input, start, "Unterminated quoted text; add the closing " + quote);
    }

    private Token regex() {
        int start = pos++;
        StringBuilder body = new StringBuilder();
        while (pos < input.length()) {
            char c = input.charAt(pos++);
            if (c == '/') {
                int flagsStart = pos;
                while (pos < input.length() && Character.isLetter(input.charAt(pos))) {
                    pos++;
                }
                String flags = input.substring(flagsStart, pos);
                if (!flags.isEmpty() && !flags.equals("i")) {
                    throw new FilterSyntaxException(input, flagsStart, "Unknown regex flag '" + flags + "'; only 'i' (ignore case) is supported");
                }
                return new Token(Token.Kind.REGEX, body.toString(), start, flags);
            }
            if (c == '\\' && pos < input.length()) {
                body.append(c).append(input.charAt(pos++));
                continue;
            }
            if (Character.isISOControl(c)) {
                throw new FilterSyntaxException(input, pos - 1, "Control character in regular expression");
            }
            body.append(c);
        }
        throw new FilterSyntaxException(input, start,
                "Unterminated regular expression; add the closing / (or quote a value that starts with /)");
    }
}
