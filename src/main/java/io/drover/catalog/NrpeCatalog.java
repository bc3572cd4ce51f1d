package io.drover.catalog;

import static io.drover.catalog.OutputType.INTEGER;
import static io.drover.catalog.OutputType.STRING;

/**
 * The {@code nrpe} agent: runs Nagios checks defined in the node's configuration. The reply is OK only when the
 * check is OK; WARNING, CRITICAL and UNKNOWN come back as status 1 with the check's output.
 */
public final class NrpeCatalog {
    public static final String AGENT = "nrpe";

    public static final String RUN_COMMAND = "run_command";

    public static final String COMMAND = "command";

    public static final String EXITCODE = "exitcode";
    /** One of the {@link CheckState} names. */
    public static final String STATE = "state";
    public static final String OUTPUT = "output";
    public static final String PERFDATA = "perfdata";

    public static final AgentCatalog CATALOG = AgentCatalog.of(AGENT, "Run Nagios checks defined on the node",
            ActionSpec.named(RUN_COMMAND, "Run a check defined on the node")
                    .input(InputSpec.string(COMMAND).required().maxLength(64)
                            .matching("[A-Za-z0-9_][A-Za-z0-9_.-]*", "check_load")
                            .describedAs("name of a check defined on the node"))
                    .output(COMMAND, STRING, "check name")
                    .output(EXITCODE, INTEGER, "plugin exit code").output(STATE, STRING, "OK, WARNING, CRITICAL or UNKNOWN")
                    .output(OUTPUT, STRING, "plugin text").output(PERFDATA, STRING, "performance data").build());

    private NrpeCatalog() {
    }
}
