package io.drover.agents.nrpe;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Provider;

import java.time.Duration;
import java.util.Set;

/** Runs the Nagios checks defined on a node; only those, never an arbitrary command. */
public interface CheckRunner extends Provider {
    /** Names of the checks this node defines. */
    Set<String> commands();

    /** Runs a defined check, killing it at {@code timeout}; a check that times out is UNKNOWN. */
    CheckResult run(String command, Duration timeout) throws ActionFailedException;
}
