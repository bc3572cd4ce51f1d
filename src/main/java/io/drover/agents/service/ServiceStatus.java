package io.drover.agents.service;

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
        return running ? "running" : "stopped";
    }

    Map<String, Object> toData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", name);
        data.put("status", state());
        data.put("running", running);
        data.put("pid", pid);
        return data;
    }
}
