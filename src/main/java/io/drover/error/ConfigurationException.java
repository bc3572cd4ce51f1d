package io.drover.error;

/** A setting or configuration file cannot be used; the message names the setting and how to fix it. */
public class ConfigurationException extends DroverException {
    public ConfigurationException(String message) {
        super(message, null);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
