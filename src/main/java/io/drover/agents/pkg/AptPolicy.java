package io.drover.agents.pkg;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code apt-cache policy NAME} says of one package: its candidate and the versions the repositories
 * offer. apt-cache prints nothing for a name it does not know.
 *
 * @param candidate the version apt would install, or null ({@code (none)}: a virtual package, or none for this architecture)
 * @param versions  the versions of the version table, newest first
 */
record AptPolicy(String candidate, List<String> versions) {
    /** {@code " *** 4.2.6-2 500"} (installed) or {@code "     4.2.6-3 500"}; source lines are indented further. */
    private static final Pattern VERSION_LINE = Pattern.compile("^ (?:\\*\\*\\*| {3}) (\\S+) -?\\d+$");

    /** The policy of {@code pkg}, or null when apt knows no package of that exact name. */
    static AptPolicy parse(String pkg, String output) {
        boolean inside = false;
        String candidate = null;
        List<String> versions = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.startsWith(" ")) {
                if (inside) {
                    break; // the next package (another architecture): the first one is the native one
                }
                // "mywebapp:" or, for a foreign architecture only, "mywebapp:i386:"
                inside = line.equals(pkg + ":") || (line.startsWith(pkg + ":") && line.endsWith(":")
                        && line.substring(pkg.length() + 1, line.length() - 1).matches("[a-z0-9-]+"));
                continue;
            }
            if (!inside) {
                continue;
            }
            String trimmed = line.trim();
            if (trimmed.startsWith("Candidate:")) {
                String value = trimmed.substring("Candidate:".length()).trim();
                candidate = value.equals("(none)") || value.isEmpty() ? null : value;
                continue;
            }
            Matcher matcher = VERSION_LINE.matcher(line);
            if (matcher.matches()) {
                versions.add(matcher.group(1));
            }
        }
        return inside ? new AptPolicy(candidate, List.copyOf(versions)) : null;
    }
}
