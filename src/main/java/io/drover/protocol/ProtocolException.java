package io.drover.protocol;

/** A message that is not a well-formed Drover v1 envelope. The message says what is wrong with it. */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
