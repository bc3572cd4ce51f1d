package io.drover.agents.service;

import io.drover.catalog.ServiceCatalog;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one service.
 *
 * @param name    service name
 * @param running whether it is running
 * @param pid     main process id when running and known, else {@code null}
 */
public record ServiceStatus(String name, boolean running, Long pid) {
    public String state() {
        return running ? ServiceCatalog.RUNNING : ServiceCatalog.STOPPED;
    }

    Map<String, Object> toData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(ServiceCatalog.SERVICE, name);
        data.put(ServiceCatalog.STATE, state());
        data.put(ServiceCatalog.RUNNING, running);
        data.put(ServiceCatalog.PID, pid);
        return data;
    }
}
