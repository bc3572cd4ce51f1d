package io.drover.filter;

/** Writes a value so that the lexer reads it back as the same single token. */
final class Quoting {
    private Quoting() {
    }

    static void append(StringBuilder out, String value) {
        if (Lexer.isBareWord(value) && !isKeyword(value)) {
            out.append(value);
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }

    static boolean isKeyword(String word) {
        return word.equalsIgnoreCase("and") || word.equalsIgnoreCase("or") || word.equalsIgnoreCase("not");
    }
}
