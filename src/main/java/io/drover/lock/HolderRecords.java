package io.drover.lock;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.protocol.Names;
import io.drover.transport.BrokerConnector;
import io.drover.transport.BrokerFailures;
import io.drover.transport.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The collective's holder records ({@link Topology#lockHolders}): one message per run holding deploy locks. Read by
 * browsing: every message is taken without acknowledging it, looked at, and put back when the channel closes, except
 * those the caller removes. Two browsers at once each see only what the other does not hold at that instant; callers
 * try again (see {@link DeployLocks#UNNAMED_GRACE}).
 */
final class HolderRecords {
    private static final Logger LOG = LoggerFactory.getLogger(HolderRecords.class);

    /** What to do with a record looked at. */
    enum Verdict { KEEP, REMOVE }

    private HolderRecords() {
    }

    /** The queue, declared as every run declares it: durable, so it is no transient shared queue RabbitMQ deprecates. */
    static void declare(Channel channel, String collective) throws IOException {
        channel.queueDeclare(Topology.lockHolders(collective), true, false, false, null);
    }

    /**
     * Looks at up to {@link DeployLocks#MAX_RECORDS} records, removing those {@code judge} says to; records that are
     * not one are kept (a newer runner's format, or junk: never this reader's to delete). No queue: nothing to read.
     */
    static void browse(Connection connection, String collective, Function<HolderRecord, Verdict> judge) throws IOException {
        Channel channel = connection.createChannel();
        try {
            for (int i = 0; i < DeployLocks.MAX_RECORDS; i++) {
                GetResponse response;
                try {
                    response = channel.basicGet(Topology.lockHolders(collective), false);
                } catch (IOException e) {
                    if (BrokerFailures.replyCode(e) == DeployLocks.NOT_FOUND) {
                        return; // no run has taken a lock in this collective yet
                    }
                    throw e;
                }
                if (response == null) {
                    return;
                }
                HolderRecord record;
                try {
                    record = HolderRecord.decode(response.getBody());
                } catch (IllegalArgumentException e) {
                    LOG.debug("A message among the deploy lock holder records is not one ({}); left alone", Names.printable(e.getMessage(), 200));
                    continue;
                }
                if (judge.apply(record) == Verdict.REMOVE) {
                    channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
                }
            }
        } finally {
            // Puts back every record not removed.
            try {
                if (channel.isOpen()) {
                    channel.close();
                }
            } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                // closing the connection puts them back as well
            }
        }
    }

    /**
     * Tells whether runs still hold their connections, by their marker queues, on a connection of its own: Qpid
     * answers a look at another connection's exclusive queue by closing the whole connection (530), so that
     * connection is opened again for the next look.
     */
    static final class Liveness implements AutoCloseable {
        private final BrokerConnector broker;
        private final String collective;
        private Connection probe;

        Liveness(BrokerConnector broker, String collective) {
            this.broker = broker;
            this.collective = collective;
        }

        /**
         * Whether the run {@code run} still holds its connection: its marker queue exists and is another connection's
         * (RabbitMQ 405; Qpid 530, or 405). Only "no such queue" (404) says it ended; anything else counts as alive, so
         * a doubt never deletes a live run's record.
         */
        boolean isAlive(String run) {
            try {
                if (probe == null || !probe.isOpen()) {
                    probe = broker.connectOnce("drover deploy lock prober");
                }
                Channel channel = probe.createChannel();
                try {
                    return channel.queueDeclarePassive(Topology.lockRun(collective, run)) != null;
                } finally {
                    if (channel.isOpen()) {
                        channel.abort();
                    }
                }
            } catch (IOException | ShutdownSignalException e) {
                return BrokerFailures.replyCode(e) != DeployLocks.NOT_FOUND;
            } catch (TimeoutException | RuntimeException e) {
                return true;
            }
        }

        @Override
        public void close() {
            if (probe != null) {
                probe.abort(2_000);
            }
        }
    }
}
