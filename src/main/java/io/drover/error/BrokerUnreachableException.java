package io.drover.error;

/** The broker cannot be reached (refused, unknown host, timed out), or the connection to it was lost for good. */
public class BrokerUnreachableException extends DroverException {
    public BrokerUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
