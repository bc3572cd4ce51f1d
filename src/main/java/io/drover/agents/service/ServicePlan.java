package io.drover.agents.service;

import io.drover.agents.service.ServiceProvider.ServiceChange;

/**
 * What start, stop and restart would do to a service in its current state, for dry runs. The main pid after a
 * start or restart cannot be known beforehand, so a prediction has none.
 */
final class ServicePlan {
    private ServicePlan() {
    }

    static ServiceChange start(ServiceStatus before) {
        return before.running() ? new ServiceChange(before, before, false) : new ServiceChange(before, running(before), true);
    }

    static ServiceChange stop(ServiceStatus before) {
        return before.running() ? new ServiceChange(before, new ServiceStatus(before.name(), false, null), true)
                : new ServiceChange(before, before, false);
    }

    /** A restart always changes the service: it gets a new process, or starts. */
    static ServiceChange restart(ServiceStatus before) {
        return new ServiceChange(before, running(before), true);
    }

    private static ServiceStatus running(ServiceStatus before) {
        return new ServiceStatus(before.name(), true, null);
    }
}
