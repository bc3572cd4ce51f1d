package io.drover.agent;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.MessageProperties;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Registration;
import io.drover.transport.Topology;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a node's registrations: {@code hello} with its inventory when it connects, {@code heartbeat} (the
 * inventory's hash only) every interval, {@code update} when the inventory changed, {@code goodbye} on a clean
 * shutdown. Registrations are persistent messages to the collective's durable registry, so the fleet is known
 * even while a node is down; that is what lets a runner tell "no host matched" from "a host is missing".
 */
final class Registrar {
    /** What a node host asks the registrar to send. */
    enum Kind { HELLO, HEARTBEAT, GOODBYE }

    private final Duration interval;
    private final Map<String, String> lastHash = new java.util.concurrent.ConcurrentHashMap<>();

    /** The {@code user_id} stamped on registrations, or {@code null}. */
    private final String userId;

    Registrar(Duration interval, String userId) {
        this.interval = interval;
        this.userId = userId;
    }

    Duration interval() {
        return interval;
    }

    /** A full registration: {@code hello} on connecting. */
    void hello(Channel channel, Node node, String collective, long started) throws IOException {
        publish(channel, inventory(Registration.Kind.HELLO, node, collective, started));
    }

    /** A heartbeat, or an {@code update} when the node's inventory changed since it last registered. */
    void heartbeat(Channel channel, Node node, String collective, long started) throws IOException {
        String hash = inventoryHash(node);
        if (!hash.equals(lastHash.get(node.identity() + "/" + collective))) {
            publish(channel, inventory(Registration.Kind.UPDATE, node, collective, started));
            return;
        }
        publish(channel, new Registration(Registration.Kind.HEARTBEAT.wireName(), node.identity(), collective, null, null, null,
                node.version(), hash, started, System.currentTimeMillis(), (int) interval.toSeconds(), null, 0));
    }

    void goodbye(Channel channel, Node node, String collective, long started) throws IOException {
        publish(channel, new Registration(Registration.Kind.GOODBYE.wireName(), node.identity(), collective, null, null, null,
                node.version(), inventoryHash(node), started, System.currentTimeMillis(), (int) interval.toSeconds(), null, 0));
    }

    private Registration inventory(Registration.Kind kind, Node node, String collective, long started) {
        String hash = inventoryHash(node);
        lastHash.put(node.identity() + "/" + collective, hash);
        return new Registration(kind.wireName(), node.identity(), collective, new ArrayList<>(node.classes()), node.facts(),
                new ArrayList<>(node.agents()), node.version(), hash, started, System.currentTimeMillis(), (int) interval.toSeconds(),
                null, 0);
    }

    private void publish(Channel channel, Registration registration) throws IOException {
        AMQP.BasicProperties props = MessageProperties.PERSISTENT_BASIC.builder().contentType("application/json").userId(userId).build();
        byte[] body = JsonCodec.instance().encode(registration);
        synchronized (channel) {
            channel.basicPublish(Topology.registryExchange(registration.collective()), "", props, body);
        }
    }

    /** SHA-256 of the node's classes, facts and agents in canonical JSON. */
    static String inventoryHash(Node node) {
        Map<String, Object> inventory = new LinkedHashMap<>();
        inventory.put("agents", new java.util.TreeSet<>(node.agents()));
        inventory.put("classes", new java.util.TreeSet<>(node.classes()));
        inventory.put("facts", node.facts());
        try {
            byte[] json = JsonCodec.instance().canonicalJson(inventory);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no SHA-256", e);
        }
    }
}
