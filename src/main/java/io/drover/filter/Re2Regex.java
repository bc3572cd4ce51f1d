package io.drover.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Compiles filter regexes with RE2/J, a linear-time engine that neither backtracks nor recurses on the input:
 * filters come from the network, and java.util.regex overflowed its stack on a 430-character pattern.
 * Before RE2/J sees a pattern, its shape is bounded here, because RE2/J's compiler recurses on group nesting
 * and expands {@code x{n}} into n copies of x: {@code ((a{1000}){1000}){1000}} would take the heap.
 */
final class Re2Regex {
    static final int MAX_LENGTH = 512;
    /** Groups inside groups. */
    static final int MAX_NESTING = 32;
    /** Rough size of the compiled program: one per literal or class, multiplied out by counted repetitions. */
    static final int MAX_SIZE = 10_000;
    private static final String SYNTAX = "Drover uses RE2 syntax, https://github.com/google/re2/wiki/Syntax";

    private Re2Regex() {
    }

    /** Thrown with a message that says what is wrong and how to write it instead. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    static Pattern compile(String source, boolean ignoreCase) {
        if (source.length() > MAX_LENGTH) {
            throw new Refused("Regular expression longer than " + MAX_LENGTH + " characters");
        }
        checkShape(source);
        try {
            return Pattern.compile(source, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            throw new Refused("Invalid regular expression: " + explain(e) + " (" + SYNTAX + ")");
        } catch (RuntimeException | StackOverflowError e) {
            // Not expected within the bounds above; a filter must still fail as a filter, never kill a thread.
            throw new Refused("Invalid regular expression: RE2/J could not compile it (" + e + "); " + SYNTAX);
        }
    }

    /** What RE2 refused, named as a Java or Perl regex user would know it. */
    private static String explain(PatternSyntaxException e) {
        String fragment = e.getPattern() == null ? "" : e.getPattern();
        String description = e.getDescription();
        if (fragment.matches("\\\\[1-9].*")) {
            return "backreferences such as " + fragment + " are not supported";
        }
        if (fragment.startsWith("(?=") || fragment.startsWith("(?!")) {
            return "lookahead " + fragment + "...) is not supported";
        }
        if (fragment.startsWith("(?<=") || fragment.startsWith("(?<!")) {
            return "lookbehind " + fragment.substring(0, 4) + "...) is not supported";
        }
        if (fragment.startsWith("(?>")) {
            return "atomic groups (?>...) are not supported";
        }
        if (description.contains("nested repetition") && fragment.endsWith("+")) {
            return "possessive quantifiers such as " + fragment + " are not supported; drop the final +";
        }
        return description + " `" + fragment + "`";
    }

    /**
     * Bounds group nesting and the program size before compiling. Reads the pattern the way RE2 does in the
     * parts that matter here: escapes (including {@code \Q...\E}, {@code \p{..}} and {@code \x{..}}),
     * bracketed classes, groups and {@code {n}}, {@code {n,}}, {@code {n,m}} repetitions; anything this reading
     * gets wrong is a syntax error RE2/J reports itself.
     */
    private static void checkShape(String s) {
        Deque<long[]> groups = new ArrayDeque<>(); // per open group: {size so far, size of its last atom}
        groups.push(new long[2]);
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            long[] group = groups.peek();
            long atom = 1;
            int next = i + 1;
            switch (c) {
                case '\\':
                    if (s.startsWith("\\Q", i)) {
                        int end = s.indexOf("\\E", i + 2);
                        next = end < 0 ? s.length() : end + 2;
                        atom = Math.max(1, (end < 0 ? s.length() : end) - (i + 2));
                    } else if (i + 2 < s.length() && "pPx".indexOf(s.charAt(i + 1)) >= 0 && s.charAt(i + 2) == '{') {
                        int end = s.indexOf('}', i + 3);
                        next = end < 0 ? s.length() : end + 1;
                    } else {
                        next = Math.min(s.length(), i + 2);
                    }
                    break;
                case '[':
                    next = endOfClass(s, i);
                    break;
                case '(':
                    if (groups.size() > MAX_NESTING) {
                        throw new Refused("Regular expression nested more than " + MAX_NESTING + " groups deep");
                    }
                    groups.push(new long[2]);
                    i = next;
                    continue;
                case ')':
                    if (groups.size() == 1) {
                        i = next;
                        continue; // unbalanced: RE2/J says so
                    }
                    atom = groups.pop()[0];
                    group = groups.peek();
                    break;
                case '{':
                    int[] counted = repetition(s, i);
                    if (counted == null) {
                        break; // a literal brace, as in RE2
                    }
                    group[0] += group[1] * (counted[1] - 1L);
                    group[1] *= counted[1];
                    checkSize(group[0]);
                    i = counted[0];
                    continue;
                case '*':
                case '+':
                case '?':
                case '|':
                    i = next;
                    continue;
                default:
                    break;
            }
            group[0] += atom;
            group[1] = atom;
            checkSize(group[0]);
            i = next;
        }
    }

    private static void checkSize(long size) {
        if (size > MAX_SIZE) {
            throw new Refused("Regular expression too large: its counted repetitions ({n,m}) expand to more than "
                    + MAX_SIZE + " elements; use * or + instead of large counts, and do not nest counts");
        }
    }

    /** The index after a bracketed class starting at {@code start}. */
    private static int endOfClass(String s, int start) {
        int j = start + 1;
        if (j < s.length() && s.charAt(j) == '^') {
            j++;
        }
        if (j < s.length() && s.charAt(j) == ']') {
            j++; // a leading ] is a literal
        }
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '\\') {
                j += 2;
            } else if (s.startsWith("[:", j)) {
                int end = s.indexOf(":]", j + 2);
                j = end < 0 ? j + 1 : end + 2;
            } else if (c == ']') {
                return j + 1;
            } else {
                j++;
            }
        }
        return s.length();
    }

    /** For {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code start}: the index after it and the largest count; else null. */
    private static int[] repetition(String s, int start) {
        int j = start + 1;
        int digits = j;
        while (j < s.length() && Character.isDigit(s.charAt(j)) && j - digits < 5) {
            j++;
        }
        if (j == digits) {
            return null;
        }
        int count = Integer.parseInt(s.substring(digits, j));
        if (j < s.length() && s.charAt(j) == ',') {
            j++;
            int maxDigits = j;
            while (j < s.length() && Character.isDigit(s.charAt(j)) && j - maxDigits < 5) {
                j++;
            }
            if (j > maxDigits) {
                count = Math.max(count, Integer.parseInt(s.substring(maxDigits, j)));
            }
        }
        if (j >= s.length() || s.charAt(j) != '}') {
            return null;
        }
        return new int[] {j + 1, Math.max(count, 1)};
    }
}
