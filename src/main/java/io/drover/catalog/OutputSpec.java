package io.drover.catalog;

import java.util.Objects;

/**
 * One output of an action: a key of the reply's data.
 *
 * @param name        the key, e.g. {@code blocked}
 * @param type        its JSON type
 * @param description what it means, one line
 */
public record OutputSpec(String name, OutputType type, String description) {
    public OutputSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
    }
}
