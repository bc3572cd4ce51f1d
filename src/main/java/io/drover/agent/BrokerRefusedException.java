package io.drover.agent;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;

import java.io.IOException;

/**
 * The broker is reachable but refused to let a node take its queue: another connection holds the queue's name
 * (405 RESOURCE_LOCKED: squatted, or another agent with the same identity), or the broker user may not use it
 * (403 ACCESS_REFUSED). Not a connectivity problem, so it is reported as what it is.
 */
final class BrokerRefusedException extends IOException {
    static final int ACCESS_REFUSED = 403;
    static final int RESOURCE_LOCKED = 405;

    private BrokerRefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * {@code failure} explained when the broker refused with 403 or 405; otherwise {@code null}.
     *
     * @param queue the node's queue
     * @param user  the broker user the agent connects as
     */
    static BrokerRefusedException explain(Throwable failure, String queue, String user) {
        ShutdownSignalException signal = null;
        for (Throwable cause = failure; cause != null && signal == null; cause = cause.getCause()) {
            if (cause instanceof ShutdownSignalException s) {
                signal = s;
            }
        }
        if (signal == null) {
            return null;
        }
        Method reason = signal.getReason();
        int code;
        String text;
        if (reason instanceof AMQP.Channel.Close close) {
            code = close.getReplyCode();
            text = close.getReplyText();
        } else if (reason instanceof AMQP.Connection.Close close) {
            code = close.getReplyCode();
            text = close.getReplyText();
        } else {
            return null;
        }
        return switch (code) {
            case RESOURCE_LOCKED -> new BrokerRefusedException("queue " + queue + " is held by another connection (squatted? "
                    + "another agent with this identity?): " + text + "; find its owner with rabbitmqctl list_queues name "
                    + "exclusive_consumer_pid owner_pid, and use least-privilege broker users (drover broker setup) so no one "
                    + "else can declare it", failure);
            case ACCESS_REFUSED -> new BrokerRefusedException("access refused for user " + user + " on queue " + queue + ": "
                    + text + "; give this node its broker user and permissions with drover broker setup --node IDENTITY "
                    + "(docs/security.md), or another agent consumes the queue exclusively", failure);
            default -> null;
        };
    }
}
