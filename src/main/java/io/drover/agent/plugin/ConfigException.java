package io.drover.agent.plugin;

/** Agent or fleet configuration that cannot be used; the message names the setting and how to fix it. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
