package io.drover.error;

/**
 * Who we are was refused: the broker refused the login or the permissions of its user, or a key or signature
 * cannot be used (a malformed, unreadable or wrong key).
 */
public class AuthenticationException extends DroverException {
    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
