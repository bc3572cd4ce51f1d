package io.drover.catalog;

import java.util.Collections;
import java.util.Map;

/** Action inputs that passed validation against the catalog, typed and normalised. */
public final class Inputs {
    private final Map<String, Object> values;

    Inputs(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** A required string input. */
    public String string(String name) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalStateException("input " + name + " was not declared required or was not given");
        }
        return (String) value;
    }

    /** An optional string input, or {@code null}. */
    public String optionalString(String name) {
        return (String) values.get(name);
    }

    public Long optionalInteger(String name) {
        return (Long) values.get(name);
    }

    public Boolean optionalBoolean(String name) {
        return (Boolean) values.get(name);
    }

    public Map<String, Object> asMap() {
        return values;
    }
}
