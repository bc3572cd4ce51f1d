package io.drover.agent;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;

import java.io.IOException;

/**
 * The broker is reachable but refused to let a node take its queue: another connection holds the node's exclusive
 * queue (RabbitMQ 405 RESOURCE_LOCKED, Qpid Broker-J 530 NOT_ALLOWED "is exclusive": another agent with the same
 * identity, or a squatter), or the broker user may not use it (403 ACCESS_REFUSED). Not a connectivity problem, so it
 * is reported as what it is.
 */
final class BrokerRefusedException extends IOException {
    static final int ACCESS_REFUSED = 403;
    static final int RESOURCE_LOCKED = 405;
    /** Qpid Broker-J's answer, closing the whole connection, to a declare of another session's exclusive queue. */
    static final int NOT_ALLOWED = 530;

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
        boolean heldElsewhere = code == RESOURCE_LOCKED || code == NOT_ALLOWED && text != null && text.contains("exclusive");
        if (heldElsewhere) {
            return new BrokerRefusedException("queue " + queue + " is held by another connection (another agent with this "
                    + "identity? squatted?): " + text + "; identities must be unique: stop the other agent or give this one "
                    + "another identity (identity: in agent.yaml, or --identity). Find the holder with rabbitmqctl list_queues "
                    + "name owner_pid and rabbitmqctl list_connections pid peer_host client_properties, and use least-privilege "
                    + "broker users (drover broker setup) so no one else can declare it. An agent that was just killed holds it "
                    + "until the broker notices its connection is gone (at once for a closed socket, up to two heartbeats for "
                    + "a lost network); this agent keeps retrying", failure);
        }
        return switch (code) {
            case ACCESS_REFUSED -> new BrokerRefusedException("access refused for user " + user + " on queue " + queue + ": "
                    + text + "; give this node its broker user and permissions with drover broker setup --node IDENTITY "
                    + "(docs/security.md), or another agent consumes the queue exclusively", failure);
            default -> null;
        };
    }
}
