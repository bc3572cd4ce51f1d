package io.drover.filter;

import com.google.re2j.Pattern;

/** Matches a name exactly or by regular expression (found anywhere in the name, as MCollective did). */
record TextMatch(String text, Pattern pattern) {
    static TextMatch exact(String text) {
        return new TextMatch(text, null);
    }

    static TextMatch regex(String source, Pattern pattern) {
        return new TextMatch(source, pattern);
    }

    boolean isRegex() {
        return pattern != null;
    }

    boolean matches(String candidate, Evaluation evaluation) {
        return pattern == null ? text.equals(candidate) : evaluation.find(pattern, candidate);
    }

    boolean matchesAny(Iterable<String> candidates, Evaluation evaluation) {
        for (String candidate : candidates) {
            if (matches(candidate, evaluation)) {
                return true;
            }
        }
        return false;
    }

    void render(StringBuilder out) {
        if (pattern != null) {
            out.append('/').append(text).append('/');
            if ((pattern.flags() & Pattern.CASE_INSENSITIVE) != 0) {
                out.append('i');
            }
        } else {
            Quoting.append(out, text);
        }
    }
}
