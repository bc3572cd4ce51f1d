package io.drover.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.drover.transport.BrokerConnector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The physical floor: N plain amqp-client consumers, one queue each bound to a topic exchange, answering every
 * message at once with a few bytes. No Drover code on the path; laid out like Drover's node host (200 channels
 * per connection, one shared delivery pool) so the comparison is fair.
 */
public final class RawResponders {
    private static final byte[] PONG = "{\"pong\":true}".getBytes(StandardCharsets.UTF_8);

    private RawResponders() {
    }

    /**
     * Connects, trying again for up to five minutes: right after a phase with 20,000 queues the broker is still
     * deleting them, and a loaded 2-core machine then let the AMQP handshake time out.
     */
    private static Connection connect(BrokerConnector broker, String name, ExecutorService deliveries) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        while (true) {
            try {
                return broker.connect(name, deliveries);
            } catch (IOException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println("connecting " + name + " failed (" + e + "), trying again");
                Thread.sleep(2_000);
            }
        }
    }

    /** Args: broker URI, number of responders, exchange. */
    public static void main(String[] args) throws Exception {
        BrokerConnector broker = BrokerConnector.of(args[0]);
        int count = Integer.parseInt(args[1]);
        String exchange = args[2];
        ExecutorService deliveries = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        List<Connection> connections = new ArrayList<>();
        Channel declarer = null;
        for (int i = 0; i < count; i++) {
            if (i % 200 == 0) {
                connections.add(connect(broker, "raw responders #" + connections.size(), deliveries));
                if (declarer == null) {
                    declarer = connections.get(0).createChannel();
                    declarer.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
                }
            }
            Channel channel = connections.get(connections.size() - 1).createChannel();
            String queue = channel.queueDeclare("raw." + exchange + "." + i, false, true, true, null).getQueue();
            channel.queueBind(queue, exchange, "ping");
            channel.basicConsume(queue, true, "raw-" + i, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
                    AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder().correlationId(properties.getCorrelationId()).build();
                    synchronized (channel) {
                        channel.basicPublish("", properties.getReplyTo(), reply, PONG);
                    }
                }
            });
        }
        System.out.println("READY " + count);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
