package io.drover.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drover.error.ConfigurationException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.LinkedHashSet;

/**
 * Reads the YAML (or JSON, a subset of YAML) documents Drover is configured with (agent.yaml, policies, fleet files,
 * facts) and classes files, bounded in size; a problem throws {@link ConfigurationException} naming the file.
 */
public final class YamlDocuments {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final long MAX_BYTES = 4L * 1024 * 1024;

    private YamlDocuments() {
    }

    /** A YAML or JSON mapping; an empty file, or one with only comments, is an empty map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path file, String what) {
        String text = readText(file, what);
        try {
            if (isEmptyDocument(text)) {
                return new LinkedHashMap<>();
            }
            Object value = YAML.readValue(text, Object.class);
            if (value == null) {
                return new LinkedHashMap<>();
            }
            if (!(value instanceof Map)) {
                throw new ConfigurationException(what + " " + file + " must be a mapping of keys to values");
            }
            return (Map<String, Object>) value;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigurationException("Cannot parse " + what + " " + file + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigurationException("Cannot parse " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** No content at all: blank, or only comments (Jackson refuses to map those to a value). */
    private static boolean isEmptyDocument(String text) throws IOException {
        try (JsonParser parser = YAML.createParser(text)) {
            return parser.nextToken() == null;
        }
    }

    /** A classes file as Puppet writes it: one class per line; blank lines and {@code #} comments are skipped. */
    public static Set<String> readClasses(Path file) {
        Set<String> classes = new LinkedHashSet<>();
        List<String> lines = readText(file, "classes file").lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                throw new ConfigurationException("Classes file " + file + " line " + (i + 1) + ": a class name has no spaces: '" + line + "'");
            }
            classes.add(line);
        }
        return classes;
    }

    private static String readText(Path file, String what) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigurationException(what + " " + file + " is larger than " + MAX_BYTES / 1024 / 1024 + " MB");
            }
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
