package io.drover.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Talks to agents with plain amqp-client and hand-made envelopes, as an attacker or a buggy client would:
 * replays, expired and future-dated requests, raw bytes.
 */
public final class RawPeer implements AutoCloseable {
    private final Connection connection;
    private final Channel channel;
    private final String replyQueue;
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();

    public RawPeer(BrokerConnector broker) throws Exception {
        connection = broker.connect("drover raw test peer");
        channel = connection.createChannel();
        replyQueue = channel.queueDeclare().getQueue();
        channel.basicConsume(replyQueue, true, "raw-peer-" + System.nanoTime(),
                (tag, delivery) -> replies.add(JsonCodec.instance().decodeReply(delivery.getBody())), tag -> { });
    }

    /** Publishes a request directed at its first target. */
    public void sendDirected(Request request) throws Exception {
        send(Topology.directedExchange(request.collective()), request.targets().get(0), JsonCodec.instance().encode(request));
    }

    public void send(String exchange, String routingKey, byte[] body) throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().replyTo(replyQueue).correlationId("raw").build();
        channel.basicPublish(exchange, routingKey, props, body);
    }

    /** The next reply, or null after {@code timeout}. */
    public Reply nextReply(Duration timeout) throws InterruptedException {
        return replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** All replies arriving within {@code window}. */
    public List<Reply> repliesWithin(Duration window) throws InterruptedException {
        List<Reply> out = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return out;
            }
            Reply reply = replies.poll(left, TimeUnit.NANOSECONDS);
            if (reply != null) {
                out.add(reply);
            }
        }
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public void close() throws java.io.IOException {
        connection.close();
    }
}
