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

    /** State before and after a change. */
    record ServiceChange(ServiceStatus before, ServiceStatus after, boolean changed) {
    }
}
