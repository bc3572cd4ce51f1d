package io.drover.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Reply status codes, numbered as MCollective numbered them so operators who know one know the other.
 */
public enum Status {
    /** The action ran and succeeded. */
    OK(0, "OK"),
    /** The action ran and failed, or the request was refused (expired, replayed, not for this node). */
    ABORTED(1, "aborted"),
    /** The agent or action does not exist on this node. */
    UNKNOWN_ACTION(2, "unknown action"),
    /** A required input is missing. */
    MISSING_DATA(3, "missing data"),
    /** An input failed validation; nothing was changed. */
    INVALID_DATA(4, "invalid data"),
    /** An unexpected error inside the agent. */
    UNKNOWN_ERROR(5, "unknown error");

    private final int code;
    private final String label;

    Status(int code, String label) {
        this.code = code;
        this.label = label;
    }

    @JsonValue
    public int code() {
        return code;
    }

    /** Short human description, e.g. {@code "invalid data"}. */
    public String label() {
        return label;
    }

    public boolean isOk() {
        return this == OK;
    }

    @JsonCreator
    public static Status ofCode(int code) {
        for (Status status : values()) {
            if (status.code == code) {
                return status;
            }
        }
        throw new IllegalArgumentException("Unknown status code " + code + "; expected 0 to 5");
    }

    @Override
    public String toString() {
        return code + " " + label;
    }
}
