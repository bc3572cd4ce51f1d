package io.drover.agents.service;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox provider: services kept in memory. Settings: {@code services} (name: running|stopped) and
 * {@code failing} (name: message, makes start and restart of that service fail).
 */
public final class SandboxServices implements ServiceProvider {
    private static final AtomicLong PIDS = new AtomicLong(1000);

    private final Map<String, Long> pids = new ConcurrentHashMap<>();
    private final Map<String, Boolean> known = new ConcurrentHashMap<>();
    private final Map<String, String> failing = new ConcurrentHashMap<>();

    public SandboxServices(Settings settings) {
        settings.map("services").forEach((name, state) -> {
            String text = String.valueOf(state);
            if (!text.equals("running") && !text.equals("stopped")) {
                throw settings.invalid("services", name + ": state must be running or stopped, got " + text);
            }
            known.put(name, true);
            if (text.equals("running")) {
                pids.put(name, PIDS.incrementAndGet());
            }
        });
        settings.map("failing").forEach((name, message) -> failing.put(name, String.valueOf(message)));
    }

    @Override
    public String name() {
        return "sandbox";
    }

    /** Makes start and restart of {@code service} fail with {@code message} until {@link #repair(String)}. */
    public void breakService(String service, String message) {
        failing.put(service, message);
    }

    public void repair(String service) {
        failing.remove(service);
    }

    @Override
    public ServiceStatus status(String service) throws ActionFailedException {
        requireKnown(service);
        Long pid = pids.get(service);
        return new ServiceStatus(service, pid != null, pid);
    }

    @Override
    public synchronized ServiceChange start(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        if (before.running()) {
            return new ServiceChange(before, before, false);
        }
        launch(service);
        return new ServiceChange(before, status(service), true);
    }

    @Override
    public synchronized ServiceChange stop(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        pids.remove(service);
        return new ServiceChange(before, status(service), before.running());
    }

    @Override
    public synchronized ServiceChange restart(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        pids.remove(service);
        launch(service);
        return new ServiceChange(before, status(service), true);
    }

    @Override
    public ServiceChange planStart(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        if (!before.running()) {
            wouldFailIfBroken(service);
        }
        return ServicePlan.start(before);
    }

    @Override
    public ServiceChange planStop(String service) throws ActionFailedException {
        return ServicePlan.stop(status(service));
    }

    @Override
    public ServiceChange planRestart(String service) throws ActionFailedException {
        ServiceStatus before = status(service);
        wouldFailIfBroken(service);
        return ServicePlan.restart(before);
    }

    /** A service made to fail would fail, and the sandbox knows it. */
    private void wouldFailIfBroken(String service) throws ActionFailedException {
        String message = failing.get(service);
        if (message != null) {
            throw new ActionFailedException("would fail: " + message);
        }
    }

    private void launch(String service) throws ActionFailedException {
        String message = failing.get(service);
        if (message != null) {
            throw new ActionFailedException(message);
        }
        pids.put(service, PIDS.incrementAndGet());
    }

    private void requireKnown(String service) throws ActionFailedException {
        if (!known.containsKey(service)) {
            throw new ActionFailedException("Unit " + service + ".service could not be found.");
        }
    }
}
