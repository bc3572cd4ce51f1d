package io.drover.transport;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.error.AuthenticationException;
import io.drover.error.BrokerUnreachableException;
import io.drover.error.DroverException;

/**
 * Names why a connection to the broker failed, as the typed exception a user acts on: a refused login or
 * vhost is an {@link AuthenticationException}, anything else (refused, unknown host, timed out, reset) a
 * {@link BrokerUnreachableException}. Messages show the broker with its password masked.
 */
public final class BrokerFailures {
    private static final int ACCESS_REFUSED = 403;

    private BrokerFailures() {
    }

    /**
     * {@code failure} of connecting to {@code broker}, explained.
     *
     * @param failure what amqp-client threw: an {@code IOException}, a {@code TimeoutException} or a runtime exception
     */
    public static DroverException connecting(BrokerConnector broker, Exception failure) {
        if (refusedLogin(failure)) {
            return new AuthenticationException("The broker " + broker + " refused the login of user " + broker.username() + ": "
                    + describe(failure) + ". Check the user and password (in the URI, or drover.broker.username and "
                    + "drover.broker.password / DROVER_BROKER_PASSWORD), and that the user exists and may use the vhost "
                    + "(drover broker setup, docs/security.md)", failure);
        }
        return new BrokerUnreachableException("Cannot reach the broker " + broker + ": " + describe(failure) + ". Check that "
                + "the broker runs and listens there, the host and port of --broker / DROVER_BROKER / -Ddrover.broker, and any "
                + "firewall in between", failure);
    }

    private static boolean refusedLogin(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PossibleAuthenticationFailureException) {
                return true;
            }
            if (cause instanceof ShutdownSignalException signal) {
                Method reason = signal.getReason();
                if (reason instanceof AMQP.Connection.Close close && close.getReplyCode() == ACCESS_REFUSED) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * What went wrong, in the broker's words where it gave any: the message of the deepest cause (amqp-client wraps a
     * broker's refusal, such as "home node ... is down", in an IOException without a message of its own).
     */
    public static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** The AMQP reply code with which the broker closed the channel or connection behind {@code failure}, or 0. */
    public static int replyCode(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ShutdownSignalException signal) {
                if (signal.getReason() instanceof AMQP.Channel.Close close) {
                    return close.getReplyCode();
                }
                if (signal.getReason() instanceof AMQP.Connection.Close close) {
                    return close.getReplyCode();
                }
            }
        }
        return 0;
    }
}
