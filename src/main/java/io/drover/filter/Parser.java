package io.drover.filter;

import java.util.ArrayList;
import java.util.List;
import com.google.re2j.Pattern;

/**
 * Recursive-descent parser of the filter language:
 * <pre>
 * expression := or
 * or         := and ("or" and)*
 * and        := unary ("and" unary)*
 * unary      := ("not" | "!") unary | "(" or ")" | term
 * term       := "class(" name ")" | "identity(" name ")" | "agent(" name ")"
 *             | fact OP value | "fact(" fact ")" OP value
 *             | name                       -- a bare word or /regex/ is a class, as in MCollective
 * OP         := "==" | "=" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "=~" | "!~"
 * </pre>
 */
final class Parser {
    static final int MAX_DEPTH = 64;
    static final int MAX_TERMS = 256;
    /** RE2/J as for the filter's own regexes: java.util.regex recursed once per segment of a long path. */
    private static final Pattern FACT_PATH = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final String input;
    private final List<Token> tokens;
    private int index;
    private int depth;
    private int terms;

    private Parser(String input) {
        this.input = input;
        this.tokens = Lexer.tokenize(input);
    }

    static Expr parse(String input) {
        Parser parser = new Parser(input);
        if (parser.peek().is(Token.Kind.END)) {
            throw new FilterSyntaxException(input, 0, "Empty filter; give a term such as class(web) or country=de");
        }
        Expr expr = parser.or();
        Token rest = parser.peek();
        if (!rest.is(Token.Kind.END)) {
            throw parser.error(rest, "Unexpected " + rest.describe() + "; expected 'and', 'or' or the end of the filter");
        }
        return expr;
    }

    /** Parses exactly one fact comparison such as {@code country=de}. */
    static FactTerm parseFactComparison(String input) {
        Parser parser = new Parser(input);
        Token first = parser.peek();
        if (!first.is(Token.Kind.WORD) || !parser.peekAt(1).is(Token.Kind.OPERATOR)) {
            throw new FilterSyntaxException(input, first.position(), "Expected a fact comparison such as country=de or cpus>=4");
        }
        FactTerm term = parser.factComparison(parser.next());
        Token rest = parser.peek();
        if (!rest.is(Token.Kind.END)) {
            throw parser.error(rest, "Unexpected " + rest.describe() + " after the fact comparison");
        }
        return term;
    }

    /** Parses a single name that is an exact text or a {@code /regex/}. */
    static TextMatch parseName(String input, String what) {
        Parser parser = new Parser(input);
        Token token = parser.next();
        if (!(token.is(Token.Kind.WORD) || token.is(Token.Kind.STRING) || token.is(Token.Kind.REGEX))) {
            throw parser.error(token, "Expected " + what + " name or /regex/");
        }
        TextMatch match = parser.textMatch(token);
        Token rest = parser.peek();
        if (!rest.is(Token.Kind.END)) {
            throw parser.error(rest, "Unexpected " + rest.describe() + " after the " + what + " name; quote names with spaces");
        }
        return match;
    }

    private Expr or() {
        List<Expr> operands = new ArrayList<>();
        operands.add(and());
        while (peek().isKeyword("or")) {
            next();
            operands.add(and());
        }
        return operands.size() == 1 ? operands.get(0) : new Expr.Or(operands);
    }

    private Expr and() {
        List<Expr> operands = new ArrayList<>();
        operands.add(unary());
        while (peek().isKeyword("and")) {
            next();
            operands.add(unary());
        }
        return operands.size() == 1 ? operands.get(0) : new Expr.And(operands);
    }

    private Expr unary() {
        Token token = peek();
        if (++depth > MAX_DEPTH) {
            throw error(token, "Filter nested more than " + MAX_DEPTH + " levels deep");
        }
        try {
            if (token.isKeyword("not") || token.is(Token.Kind.BANG)) {
                next();
                return new Expr.Not(unary());
            }
            if (token.is(Token.Kind.LPAREN)) {
                next();
                Expr inner = or();
                expect(Token.Kind.RPAREN, "')' to close the '(' at position " + token.position());
                return inner;
            }
            return term();
        } finally {
            depth--;
        }
    }

    private Expr term() {
        Token token = next();
        if (++terms > MAX_TERMS) {
            throw error(token, "Filter has more than " + MAX_TERMS + " terms");
        }
        switch (token.kind()) {
            case REGEX:
                return new ClassTerm(textMatch(token));
            case STRING:
                return peek().is(Token.Kind.OPERATOR) ? factComparison(token) : new ClassTerm(textMatch(token));
            case WORD:
                break;
            case END:
                throw error(token, "Filter ends where a term was expected");
            default:
                throw error(token, "Unexpected " + token.describe() + "; expected a term such as class(web), identity(web01) or country=de");
        }
        if (Quoting.isKeyword(token.text())) {
            throw error(token, "Unexpected '" + token.text() + "'; expected a term before it");
        }
        if (peek().is(Token.Kind.LPAREN)) {
            return function(token);
        }
        if (peek().is(Token.Kind.OPERATOR)) {
            return factComparison(token);
        }
        return new ClassTerm(textMatch(token));
    }

    private Expr function(Token name) {
        String function = name.text().toLowerCase(java.util.Locale.ROOT);
        Token open = next();
        Token argument = next();
        if (!(argument.is(Token.Kind.WORD) || argument.is(Token.Kind.STRING) || argument.is(Token.Kind.REGEX))) {
            throw error(argument, "Expected a name or /regex/ inside " + function + "(...)");
        }
        expect(Token.Kind.RPAREN, "')' to close " + function + "( at position " + open.position());
        switch (function) {
            case "class":
                return new ClassTerm(textMatch(argument));
            case "identity":
                return new IdentityTerm(textMatch(argument));
            case "agent":
                return new AgentTerm(textMatch(argument));
            case "fact":
                if (argument.is(Token.Kind.REGEX)) {
                    throw error(argument, "A fact name cannot be a regex");
                }
                if (!peek().is(Token.Kind.OPERATOR)) {
                    throw error(peek(), "Expected an operator such as == after fact(" + argument.text() + ")");
                }
                return factComparison(argument);
            default:
                throw error(name, "Unknown function '" + name.text() + "'; use class(...), identity(...), agent(...) or fact(...)");
        }
    }

    private FactTerm factComparison(Token name) {
        String path = name.text();
        if (!FACT_PATH.matcher(path).matches()) {
            throw error(name, "Invalid fact name '" + path + "'; use letters, digits, _ and -, with dots for nested facts");
        }
        Token opToken = next();
        Operator operator = Operator.of(opToken.text());
        if (operator == null) {
            throw error(opToken, "Unknown operator '" + opToken.text() + "'; use == != < <= > >= =~ or !~");
        }
        Token value = next();
        switch (value.kind()) {
            case WORD:
            case STRING:
                if (value.is(Token.Kind.WORD) && Quoting.isKeyword(value.text())) {
                    throw error(value, "Expected a value after '" + opToken.text() + "' but found '" + value.text() + "'; quote it if it is the value");
                }
                Pattern pattern = operator.isRegex() ? compile(value, value.text(), "") : null;
                return new FactTerm(path, operator, value.text(), pattern, false);
            case REGEX:
                if (!operator.isRegex()) {
                    throw error(value, "A /regex/ needs =~ or !~, not '" + opToken.text() + "'; quote the value to compare it as text");
                }
                return new FactTerm(path, operator, value.text(), compile(value, value.text(), value.flags()), true);
            default:
                throw error(value, "Expected a value after '" + opToken.text() + "' but found " + value.describe());
        }
    }

    private TextMatch textMatch(Token token) {
        if (token.is(Token.Kind.REGEX)) {
            return TextMatch.regex(token.text(), compile(token, token.text(), token.flags()));
        }
        if (token.text().isEmpty()) {
            throw error(token, "Empty name");
        }
        return TextMatch.exact(token.text());
    }

    private Pattern compile(Token token, String source, String flags) {
        try {
            return Re2Regex.compile(source, flags.contains("i"));
        } catch (Re2Regex.Refused e) {
            throw error(token, e.getMessage());
        }
    }

    private void expect(Token.Kind kind, String what) {
        Token token = next();
        if (!token.is(kind)) {
            throw error(token, "Expected " + what + " but found " + token.describe());
        }
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token peekAt(int offset) {
        return tokens.get(Math.min(index + offset, tokens.size() - 1));
    }

    private Token next() {
        Token token = tokens.get(index);
        if (index < tokens.size() - 1) {
            index++;
        }
        return token;
    }

    private FilterSyntaxException error(Token token, String problem) {
        return new FilterSyntaxException(input, token.position(), problem);
    }
}
