package io.drover.agent.plugin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The successful outcome of an action: a message for people and data outputs for steps and scripts.
 * Failures are thrown as {@link ActionFailedException}.
 */
public record ActionResult(String message, Map<String, Object> data) {
    public ActionResult {
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static ActionResult of(String message, Map<String, Object> data) {
        return new ActionResult(message, data);
    }

    /** The result of an idempotent action: {@code changed} tells whether this run changed anything. */
    public static ActionResult changed(boolean changed, String message, Map<String, Object> data) {
        Map<String, Object> withChanged = new LinkedHashMap<>();
        withChanged.put("changed", changed);
        withChanged.putAll(data);
        return new ActionResult(message, withChanged);
    }
}
