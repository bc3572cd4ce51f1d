package io.drover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/** Nested values as indented YAML, which people read more easily than JSON. */
final class YamlText {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private YamlText() {
    }

    static String of(Object value, String indent) {
        try {
            StringBuilder out = new StringBuilder();
            for (String line : YAML.writeValueAsString(value).split("\n")) {
                out.append(indent).append(line).append('\n');
            }
            return out.toString();
        } catch (JsonProcessingException e) {
            return indent + value + "\n";
        }
    }
}
