package io.drover.transport;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Opens connections to a broker given as one or more {@code amqp://} URIs: the first is preferred, the others are
 * tried in the order given when it cannot be reached ({@link BrokerAddresses}). Connections recover by themselves:
 * when the broker goes away, amqp-client reconnects, from the first URI on, and re-declares queues, bindings and
 * consumers.
 */
public final class BrokerConnector {
    /** How often a lost connection retries. */
    public static final long RECOVERY_INTERVAL_MS = 1000;
    /**
     * Largest message body a connection takes in: four times the protocol's limit (a reply or request is at
     * most 256 KiB), far below amqp-client's default of 64 MiB, so a forged body cannot take an agent's heap.
     * A larger body closes the connection, which then recovers by itself.
     */
    public static final int MAX_INBOUND_BODY_BYTES = 1024 * 1024;

    private final List<URI> uris;
    private final ConnectionFactory factory;
    private final BrokerAddresses addresses;
    private final boolean tls;
    private final boolean stampUserId;

    private BrokerConnector(List<URI> uris, String username, String password, TlsSettings tlsSettings, boolean stampUserId) {
        this.uris = List.copyOf(uris);
        this.stampUserId = stampUserId;
        URI first = uris.get(0);
        this.factory = new ConnectionFactory();
        try {
            factory.setUri(first);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid broker URI " + redact(first) + ": " + e.getMessage(), e);
        }
        if (username != null) {
            factory.setUsername(username);
        }
        if (password != null) {
            factory.setPassword(password);
        }
        this.tls = "amqps".equals(first.getScheme()) || tlsSettings != null;
        if (tlsSettings != null) {
            try {
                factory.useSslProtocol(tlsSettings.context());
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (tlsSettings.verifyHostname()) {
                factory.enableHostnameVerification();
            }
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(RECOVERY_INTERVAL_MS);
        factory.setRequestedHeartbeat(15);
        factory.setConnectionTimeout(10_000);
        factory.setMaxInboundMessageBodySize(MAX_INBOUND_BODY_BYTES);
        List<Address> inOrder = new ArrayList<>();
        for (URI uri : uris) {
            String scheme = uri.getScheme();
            if (!"amqp".equals(scheme) && !"amqps".equals(scheme)) {
                throw new IllegalArgumentException("Broker URI " + redact(uri) + " must start with amqp:// or amqps://");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("Broker URI " + redact(uri) + " has no host");
            }
            int port = uri.getPort() > 0 ? uri.getPort() : ("amqps".equals(scheme) ? 5671 : 5672);
            inOrder.add(new Address(uri.getHost(), port));
        }
        this.addresses = new BrokerAddresses(inOrder, tls);
    }

    /** A connector for {@code amqp://user:pass@host:port/vhost}; credentials and vhost come from the first URI. */
    public static BrokerConnector of(List<URI> uris) {
        return of(uris, null, null, null);
    }

    /**
     * A connector with credentials and TLS given apart from the URIs.
     *
     * @param username overrides the URI's user, or {@code null}
     * @param password overrides the URI's password, or {@code null}
     * @param tls      trust and client certificate for {@code amqps://}, or {@code null} for the JVM's defaults
     */
    public static BrokerConnector of(List<URI> uris, String username, String password, TlsSettings tls) {
        return of(uris, username, password, tls, false);
    }

    /**
     * A connector whose users stamp what they publish with the broker user ({@link #userId()}) when {@code stampUserId}:
     * RabbitMQ refuses a message whose {@code user_id} is not the connection's user, so receivers can trust it.
     */
    public static BrokerConnector of(List<URI> uris, String username, String password, TlsSettings tls, boolean stampUserId) {
        if (uris == null || uris.isEmpty()) {
            throw new IllegalArgumentException("No broker URI given");
        }
        return new BrokerConnector(uris, username, password, tls, stampUserId);
    }

    public static BrokerConnector of(String uri) {
        return of(parseAll(uri));
    }

    /** Parses one URI or several separated by commas or whitespace. */
    public static List<URI> parseAll(String text) {
        Objects.requireNonNull(text, "broker URI");
        List<URI> out = new ArrayList<>();
        for (String part : text.trim().split("[,\\s]+")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                out.add(new URI(part));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Invalid broker URI '" + redact(part) + "': " + e.getReason());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No broker URI given");
        }
        return out;
    }

    /** Opens a connection that recovers by itself; the name shows in the broker's management UI. */
    public Connection connect(String connectionName) throws IOException, TimeoutException {
        return factory.newConnection(null, addresses, connectionName);
    }

    /**
     * Opens a connection that does NOT recover: for what must end with the connection, such as a deploy lock (an
     * exclusive queue), which a recovering connection would silently take again or fail to.
     */
    public Connection connectOnce(String connectionName) throws IOException, TimeoutException {
        ConnectionFactory once = factory.clone();
        once.setAutomaticRecoveryEnabled(false);
        once.setTopologyRecoveryEnabled(false);
        return once.newConnection(null, addresses, connectionName);
    }

    /** A connection whose consumers are called on {@code deliveries}, shared with other connections. */
    public Connection connect(String connectionName, java.util.concurrent.ExecutorService deliveries) throws IOException, TimeoutException {
        return factory.newConnection(deliveries, addresses, connectionName);
    }

    public List<URI> uris() {
        return uris;
    }

    /** The broker user connections log in as (the URI's, or the one given apart from it). */
    public String username() {
        return factory.getUsername();
    }

    /**
     * The {@code user_id} property to put on published messages: the broker user when stamping is on, else
     * {@code null} (no property). The broker validates it, see docs/security.md, "Broker permissions".
     */
    public String userId() {
        return stampUserId ? factory.getUsername() : null;
    }

    /** Whether connections are encrypted. */
    public boolean isTls() {
        return tls;
    }

    /** The URIs with passwords masked, for logs and reports. */
    @Override
    public String toString() {
        return uris.stream().map(BrokerConnector::redact).collect(Collectors.joining(","));
    }

    /** A URI with its password replaced by {@code ***}. */
    public static String redact(URI uri) {
        return redact(uri.toString());
    }

    static String redact(String uri) {
        return uri.replaceAll("(?<=://)([^:/@]*):[^@/]*@", "$1:***@");
    }
}
