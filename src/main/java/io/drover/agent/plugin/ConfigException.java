package io.drover.agent.plugin;

/**
 * Agent or fleet configuration that cannot be used; the message names the setting and how to fix it. The
 * plugin SPI's name for {@link io.drover.error.ConfigurationException}.
 */
public class ConfigException extends io.drover.error.ConfigurationException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
