package io.drover.error;

/**
 * A failure Drover can name: the broker is unreachable, it or a key refused who we are, a setting cannot be
 * used, or the work was interrupted. Unchecked, so it crosses the client API, the steps and the agent without
 * every signature listing it; callers that care catch a subclass. The message always says how to fix it.
 */
public abstract class DroverException extends RuntimeException {
    protected DroverException(String message, Throwable cause) {
        super(message, cause);
    }
}
