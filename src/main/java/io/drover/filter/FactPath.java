package io.drover.filter;

import java.util.List;
import java.util.Map;

/** Finds a fact by dotted path into nested facts: {@code os.family}, {@code ip_addresses.0}. */
public final class FactPath {
    private FactPath() {
    }

    /**
     * The value at {@code path}, or {@code null}. A key containing dots is tried first as it is, so flat facts
     * named like {@code os.family} are found too; a numeric segment indexes a list.
     */
    public static Object resolve(Map<String, Object> facts, String path) {
        Object direct = facts.get(path);
        if (direct != null || !path.contains(".")) {
            return direct;
        }
        Object current = facts;
        for (String segment : path.split("\\.")) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(segment);
            } else if (current instanceof List<?> list && segment.chars().allMatch(Character::isDigit) && segment.length() < 9) {
                int index = Integer.parseInt(segment);
                current = index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
            if (current == null) {
                return null;
            }
        }
        return current;
    }
}
