package io.drover.agent.plugin;

import java.util.Map;

/** The action ran and failed; the reply gets status 1 and this message, which should say why. */
public class ActionFailedException extends Exception {
    private final Map<String, Object> data;

    public ActionFailedException(String message) {
        this(message, Map.of());
    }

    public ActionFailedException(String message, Map<String, Object> data) {
        super(message);
        this.data = Map.copyOf(data);
    }

    /** Outputs to send with the failure, e.g. the exit code of a failed command. */
    public Map<String, Object> data() {
        return data;
    }
}
