package io.drover.catalog;

import static io.drover.catalog.OutputType.BOOLEAN;
import static io.drover.catalog.OutputType.INTEGER;
import static io.drover.catalog.OutputType.STRING;

/** The {@code service} agent: start, stop, restart, status. Start and stop are idempotent. */
public final class ServiceCatalog {
    public static final String AGENT = "service";

    public static final String START = "start";
    public static final String STOP = "stop";
    public static final String RESTART = "restart";
    public static final String STATUS = "status";

    public static final String SERVICE = "service";

    public static final String CHANGED = "changed";
    /** The state: {@link #RUNNING} or {@link #STOPPED}. */
    public static final String STATE = "status";
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    public static final String PID = "pid";

    private static final InputSpec SERVICE_INPUT = InputSpec.string(SERVICE).required().maxLength(128)
            .matching("[A-Za-z0-9][A-Za-z0-9_.@:-]*", "httpd").describedAs("service (unit) name");

    public static final AgentCatalog CATALOG = AgentCatalog.of(AGENT, "Start, stop, restart and inspect services",
            status(ActionSpec.named(START, "Start a service").input(SERVICE_INPUT)
                    .output(CHANGED, BOOLEAN, "false if it was already running"), RUNNING, "main pid when known"),
            status(ActionSpec.named(STOP, "Stop a service").input(SERVICE_INPUT)
                    .output(CHANGED, BOOLEAN, "false if it was already stopped"), STOPPED, "main pid when known"),
            status(ActionSpec.named(RESTART, "Restart a service, or start it if stopped").input(SERVICE_INPUT)
                    .output(CHANGED, BOOLEAN, "always true"), RUNNING, "new main pid"),
            status(ActionSpec.named(STATUS, "Whether a service is running").input(SERVICE_INPUT),
                    RUNNING + " or " + STOPPED, "main pid when known"));

    /** The outputs describing a service's state, {@code state} saying which it is after the action. */
    private static ActionSpec status(ActionSpec.Builder action, String state, String pid) {
        return action.output(SERVICE, STRING, "service name").output(STATE, STRING, state)
                .output(RUNNING, BOOLEAN, "true if running").output(PID, INTEGER, pid).build();
    }

    private ServiceCatalog() {
    }
}
