package io.drover.agents.service;

import io.drover.agent.plugin.ActionFailedException;

import java.util.regex.Pattern;

/**
 * The provider's own check of a service name. The agent's input declaration already refuses anything else;
 * this second check keeps a provider safe when it is used without the agent (it builds paths and
 * command arguments from the name).
 */
final class ServiceNames {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}");

    private ServiceNames() {
    }

    static String require(String service) throws ActionFailedException {
        if (service == null || !VALID.matcher(service).matches() || service.contains("..")) {
            throw new ActionFailedException("invalid service name '" + service + "': use letters, digits and _ . @ : -,"
                    + " starting with a letter or digit, e.g. httpd");
        }
        return service;
    }
}
