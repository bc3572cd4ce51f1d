package io.drover.agents.nrpe;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits an NRPE command line into arguments the way {@code /bin/sh} would for a plain command: words split
 * at blanks, single quotes keep everything literally, double quotes keep blanks. Whatever a shell would
 * interpret (pipes, lists, redirections, substitutions, globs, escapes, comments, variable assignments) is
 * refused, because Drover runs the result without a shell and would otherwise run something other than
 * what NRPE runs.
 */
final class CommandLine {
    private static final Pattern NRPE_ARGUMENT = Pattern.compile("\\$ARG\\d+\\$");
    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);

    private CommandLine() {
    }

    /** Refused by {@link #split}: the message says what was found and why it cannot run. */
    static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    static List<String> split(String line) throws RefusedException {
        if (NRPE_ARGUMENT.matcher(line).find()) {
            throw new RefusedException("it uses NRPE arguments ($ARGn$), and Drover never passes arguments to checks;"
                    + " write the values into the command line");
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new RefusedException("a single quote is not closed");
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == '"') {
                int end = i + 1;
                while (end < line.length() && line.charAt(end) != '"') {
                    char inside = line.charAt(end);
                    if (inside == '$' || inside == '`' || inside == '\\') {
                        throw new RefusedException(describe(inside, line, end) + " inside double quotes");
                    }
                    end++;
                }
                if (end >= line.length()) {
                    throw new RefusedException("a double quote is not closed");
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                if ("|&;<>()$`\\*?[\n\r".indexOf(c) >= 0 || (!inWord && (c == '#' || c == '~'))) {
                    throw new RefusedException(describe(c, line, i));
                }
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new RefusedException("the command line is empty");
        }
        if (ASSIGNMENT.matcher(words.get(0)).matches()) {
            throw new RefusedException("it starts with a variable assignment (" + words.get(0) + "), which only a shell"
                    + " understands");
        }
        return List.copyOf(words);
    }

    private static String describe(char c, String line, int at) {
        char next = at + 1 < line.length() ? line.charAt(at + 1) : 0;
        return switch (c) {
            case '|' -> next == '|' ? "`||` (a shell list)" : "`|` (a pipe)";
            case '&' -> next == '&' ? "`&&` (a shell list)" : "`&` (a background job)";
            case ';' -> "`;` (a command separator)";
            case '<', '>' -> "`" + c + "` (a redirection)";
            case '(', ')' -> "`" + c + "` (a subshell)";
            case '$' -> next == '(' ? "`$(` (command substitution)" : "`$` (a variable)";
            case '`' -> "a backtick (command substitution)";
            case '\\' -> "a backslash (a shell escape)";
            case '*', '?', '[' -> "`" + c + "` (a file name pattern; quote it to pass it literally)";
            case '#' -> "`#` (a comment)";
            case '~' -> "`~` (a home directory)";
            default -> "a line break";
        };
    }
}
