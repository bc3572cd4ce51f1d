package io.drover.agents.service;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Provider;

/** Starts, stops and inspects services. Change methods return the state before and after. */
public interface ServiceProvider extends Provider {
    ServiceStatus status(String service) throws ActionFailedException;

    ServiceChange start(String service) throws ActionFailedException;

    ServiceChange stop(String service) throws ActionFailedException;

    /** Restarts, or starts a stopped service; always a change. */
    ServiceChange restart(String service) throws ActionFailedException;

    /**
     * For dry runs: what {@link #start} would do, found with read-only queries ({@code systemctl show}, the init
     * script's {@code status}); changes nothing. Throws when it would fail, or when it cannot tell.
     */
    default ServiceChange planStart(String service) throws ActionFailedException {
        throw cannotSimulate("start");
    }

    /** For dry runs: what {@link #stop} would do; changes nothing. */
    default ServiceChange planStop(String service) throws ActionFailedException {
        throw cannotSimulate("stop");
    }

    /** For dry runs: what {@link #restart} would do; changes nothing. */
    default ServiceChange planRestart(String service) throws ActionFailedException {
        throw cannotSimulate("restart");
    }

    private ActionFailedException cannotSimulate(String action) {
        return new ActionFailedException("cannot simulate " + action + " with the " + name() + " service provider");
    }

    /** State before and after a change. */
    record ServiceChange(ServiceStatus before, ServiceStatus after, boolean changed) {
    }
}
