package io.drover.agent.facts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ConfigException;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/** Facts from Puppet's {@code facter -j}, for hosts that already use it. */
public final class Facter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Facter() {
    }

    /** Runs {@code facter -j}; a failure is a configuration error, since facter was asked for. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> collect(CommandRunner runner, String program) {
        CommandResult result;
        try {
            result = runner.run(Command.of(program, "-j").withTimeout(Duration.ofSeconds(60)));
        } catch (ActionFailedException e) {
            throw new ConfigException("facter is enabled in the configuration but cannot run: " + e.getMessage()
                    + "; install it (apt-get install facter) or set facter: false");
        }
        if (!result.succeeded()) {
            throw new ConfigException("facter is enabled in the configuration but failed: " + result.describe());
        }
        try {
            Object parsed = JSON.readValue(result.stdout(), Object.class);
            if (!(parsed instanceof Map)) {
                throw new ConfigException("facter -j did not print a JSON object");
            }
            return (Map<String, Object>) parsed;
        } catch (IOException e) {
            throw new ConfigException("facter -j printed something that is not JSON: " + e.getMessage());
        }
    }
}
