package io.drover.agent.plugin;

import java.nio.file.Path;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A section of the agent or fleet configuration (e.g. {@code agents.package}), read strictly: a wrong type
 * or a key nobody reads is an error naming the setting, so a typo never silently falls back to a default.
 */
public final class Settings {
    private final String where;
    private final Map<String, Object> values;
    private final Set<String> read = new LinkedHashSet<>();
    private final Path baseDir;

    public Settings(String where, Map<String, Object> values) {
        this(where, values, null);
    }

    /** @param baseDir what relative paths ({@link #path}) are relative to, e.g. agent.yaml's directory; null: the working directory */
    public Settings(String where, Map<String, Object> values, Path baseDir) {
        this.where = where;
        this.values = values == null ? Map.of() : values;
        this.baseDir = baseDir;
    }

    public static Settings empty(String where) {
        return new Settings(where, Map.of());
    }

    /** Where these settings come from, e.g. {@code agents.package}. */
    public String where() {
        return where;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Whether {@code key} holds a mapping (a section) rather than a value or list. */
    public boolean isSection(String key) {
        return values.get(key) instanceof Map;
    }

    public String string(String key, String fallback) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        throw wrongType(key, "a string");
    }

    /** A file or directory setting; a relative one is relative to the file the settings came from. */
    public Path path(String key, String fallback) {
        String value = string(key, fallback);
        if (value == null) {
            return null;
        }
        Path path = Path.of(value);
        return path.isAbsolute() || baseDir == null ? path : baseDir.resolve(path).normalize();
    }

    public String requiredString(String key, String hint) {
        String value = string(key, null);
        if (value == null || value.isBlank()) {
            throw new ConfigException(where + "." + key + " is required; " + hint);
        }
        return value;
    }

    public long integer(String key, long fallback) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        try {
            if (value instanceof BigInteger big) {
                return big.longValueExact();
            }
            if (value instanceof BigDecimal decimal) {
                return decimal.longValueExact();
            }
            if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
                return new BigDecimal(value.toString()).longValueExact();
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // not a whole number that fits: refused below rather than silently wrapped
        }
        throw wrongType(key, "an integer");
    }

    public boolean bool(String key, boolean fallback) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw wrongType(key, "true or false");
    }

    /** A map of names to scalars or nested values, in file order. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String key) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> map) {
            return new LinkedHashMap<>((Map<String, Object>) map);
        }
        throw wrongType(key, "a map");
    }

    /** A list of strings; a single string counts as a list of one. */
    public List<String> strings(String key) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String text) {
            return List.of(text);
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object element : list) {
                if (!(element instanceof String || element instanceof Number)) {
                    throw wrongType(key, "a list of strings");
                }
                out.add(String.valueOf(element));
            }
            return out;
        }
        throw wrongType(key, "a list of strings");
    }

    /** A list of mappings, e.g. the nodes of a fleet. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> maps(String key) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list && list.stream().allMatch(element -> element instanceof Map)) {
            return (List<Map<String, Object>>) list;
        }
        throw wrongType(key, "a list of mappings");
    }

    /** A nested section read with the same strictness. */
    public Settings section(String key) {
        return new Settings(where + "." + key, map(key), baseDir);
    }

    /** Fails on any key that was never read: it is a typo or a setting of another version. */
    public void requireAllRead() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            throw new ConfigException("Unknown setting" + (unknown.size() > 1 ? "s " : " ") + unknown + " in " + where
                    + "; known settings: " + (read.isEmpty() ? "none" : read));
        }
    }

    public ConfigException invalid(String key, String problem) {
        return new ConfigException(where + "." + key + ": " + problem);
    }

    private ConfigException wrongType(String key, String expected) {
        return new ConfigException(where + "." + key + " must be " + expected + ", got " + values.get(key));
    }
}
