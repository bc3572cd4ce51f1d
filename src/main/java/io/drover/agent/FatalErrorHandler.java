package io.drover.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link NodeHost} does after an {@link Error} other than a stack overflow (an OutOfMemoryError, a
 * linkage error) while serving a node: the JVM may be half broken, with threads that died halfway, so carrying
 * on risks an agent that is up but never answers. A stack overflow is not fatal: the request is answered as an
 * internal error and the node keeps serving.
 */
@FunctionalInterface
public interface FatalErrorHandler {
    /** Exit status of an agent that halted itself; systemd's {@code Restart=on-failure} restarts it. */
    int HALT_STATUS = 70;

    /**
     * @param identity the node that was being served
     * @param error    what was thrown
     * @param stopNode disconnects that node from the broker, as if its agent stopped
     */
    void handle(String identity, Error error, Runnable stopNode);

    /** A real agent: one log line, then halt, so its supervisor starts a fresh JVM. */
    static FatalErrorHandler halt() {
        return (identity, error, stopNode) -> {
            try {
                LoggerFactory.getLogger(NodeHost.class).error("{}: fatal {}; halting with status {} so the agent is restarted",
                        identity, error, HALT_STATUS);
                System.err.flush();
            } finally {
                Runtime.getRuntime().halt(HALT_STATUS);
            }
        };
    }

    /** Many nodes in one JVM (sandbox, emulator, tests): log, and stop serving that node; never end the JVM. */
    static FatalErrorHandler stopNode() {
        return (identity, error, stopNode) -> {
            Logger log = LoggerFactory.getLogger(NodeHost.class);
            log.error("{}: fatal {}; this node stops serving (the JVM it shares stays up)", identity, error, error);
            stopNode.run();
        };
    }
}
