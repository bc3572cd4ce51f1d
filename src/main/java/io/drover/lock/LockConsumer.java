package io.drover.lock;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import io.drover.protocol.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * What the broker sends the consumers holding a run's locks: messages someone published into a lock queue are
 * dropped (the consumers do not acknowledge, so nothing piles up), and a cancel, sent when someone deleted a lock
 * queue, marks the lock lost: the host could be locked by another run now.
 */
final class LockConsumer extends DefaultConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(LockConsumer.class);
    private final Map<String, String> hostOfLock;
    private volatile String lost;

    LockConsumer(Channel channel, Map<String, String> hostOfLock) {
        super(channel);
        this.hostOfLock = hostOfLock;
    }

    @Override
    public void handleCancel(String consumerTag) {
        String host = hostOfLock.get(consumerTag);
        lost = "the broker cancelled the lock of " + (host == null ? Names.printable(consumerTag, 100) : host)
                + ": someone deleted its lock queue";
        LOG.warn("Lost a deploy lock ({}); another run may now deploy that host", lost);
    }

    /** Why a lock was lost while its connection lived, or {@code null}. */
    String lost() {
        return lost;
    }
}
