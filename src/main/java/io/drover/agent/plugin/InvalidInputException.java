package io.drover.agent.plugin;

import io.drover.protocol.Status;

/** Inputs that do not satisfy the action's declaration; nothing was run. */
public class InvalidInputException extends Exception {
    private final Status status;

    InvalidInputException(Status status, String message) {
        super(message);
        this.status = status;
    }

    /** {@link Status#MISSING_DATA} for a missing required input, otherwise {@link Status#INVALID_DATA}. */
    public Status status() {
        return status;
    }
}
