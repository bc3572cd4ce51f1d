package io.drover.catalog;

import io.drover.protocol.Status;

/**
 * A request that does not satisfy its action's catalog declaration; nothing was run or sent. The message is the
 * same on both sides: the runner refuses with the words the node would have replied.
 */
public class InvalidInputException extends IllegalArgumentException {
    private final Status status;

    InvalidInputException(Status status, String message) {
        super(message);
        this.status = status;
    }

    /**
     * {@link Status#MISSING_DATA} for a missing required input, {@link Status#UNKNOWN_ACTION} for an action the
     * agent does not have, otherwise {@link Status#INVALID_DATA}.
     */
    public Status status() {
        return status;
    }
}
