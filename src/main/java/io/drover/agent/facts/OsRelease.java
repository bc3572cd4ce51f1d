package io.drover.agent.facts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads {@code /etc/os-release} (freedesktop.org format) into the {@code os} fact. */
final class OsRelease {
    private OsRelease() {
    }

    static Map<String, String> parse(List<String> lines) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines) {
            String trimmed = line.strip();
            int eq = trimmed.indexOf('=');
            if (trimmed.isEmpty() || trimmed.startsWith("#") || eq <= 0) {
                continue;
            }
            String value = trimmed.substring(eq + 1);
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            values.put(trimmed.substring(0, eq), value);
        }
        return values;
    }

    /** {@code {family, name, id, version, codename, release: {full, major, minor}}}, as far as known. */
    static Map<String, Object> fact(Map<String, String> release) {
        Map<String, Object> os = new LinkedHashMap<>();
        String id = release.getOrDefault("ID", "linux");
        os.put("family", family(id, release.getOrDefault("ID_LIKE", "")));
        os.put("name", release.getOrDefault("NAME", id));
        os.put("id", id);
        String version = release.get("VERSION_ID");
        if (version != null) {
            os.put("version", version);
            Map<String, Object> parts = new LinkedHashMap<>();
            parts.put("full", version);
            String[] numbers = version.split("\\.");
            parts.put("major", numbers[0]);
            if (numbers.length > 1) {
                parts.put("minor", numbers[1]);
            }
            os.put("release", parts);
        }
        if (release.containsKey("VERSION_CODENAME")) {
            os.put("codename", release.get("VERSION_CODENAME"));
        }
        return os;
    }

    /** Facter's families: Debian, RedHat, Suse, Archlinux, else the capitalised id. */
    static String family(String id, String idLike) {
        String all = (id + " " + idLike).toLowerCase(Locale.ROOT);
        if (all.matches(".*\\b(debian|ubuntu)\\b.*")) {
            return "Debian";
        }
        if (all.matches(".*\\b(rhel|fedora|centos|rocky|almalinux|ol|amzn)\\b.*")) {
            return "RedHat";
        }
        if (all.matches(".*\\b(suse|sles|opensuse)\\b.*")) {
            return "Suse";
        }
        if (all.matches(".*\\barch\\b.*")) {
            return "Archlinux";
        }
        return id.isEmpty() ? "Linux" : Character.toUpperCase(id.charAt(0)) + id.substring(1);
    }
}
