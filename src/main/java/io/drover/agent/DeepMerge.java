package io.drover.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/** Merges nested maps, as facts and fleet defaults are layered. */
public final class DeepMerge {
    private DeepMerge() {
    }

    /** {@code override} over {@code base}: maps merge key by key, anything else in {@code override} replaces. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            Object existing = out.get(key);
            if (existing instanceof Map && value instanceof Map) {
                out.put(key, merge((Map<String, Object>) existing, (Map<String, Object>) value));
            } else {
                out.put(key, value);
            }
        });
        return out;
    }
}
