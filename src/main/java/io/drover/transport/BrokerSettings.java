package io.drover.transport;

import java.net.URI;
import java.util.List;

/**
 * Where and how to connect to the broker: URIs (the first preferred, the others for failover), credentials
 * given apart from the URIs (from a file or the environment, so they need not sit in a URI), and TLS.
 * {@link #toString()} never shows a password.
 *
 * @param uris     broker URIs
 * @param username user overriding the URI's, or {@code null}
 * @param password password overriding the URI's, or {@code null}
 * @param tls      TLS trust and client certificate, or {@code null} for the JVM's defaults
 * @param userId   stamp published messages with the broker user ({@code user_id}, validated by RabbitMQ)
 */
public record BrokerSettings(List<URI> uris, String username, String password, TlsSettings tls, boolean userId) {
    public BrokerSettings {
        uris = List.copyOf(uris);
    }

    public BrokerSettings(List<URI> uris, String username, String password, TlsSettings tls) {
        this(uris, username, password, tls, false);
    }

    public static BrokerSettings of(List<URI> uris) {
        return new BrokerSettings(uris, null, null, null);
    }

    /** A connector; an invalid URI or unreadable TLS store throws {@link IllegalArgumentException}. */
    public BrokerConnector connector() {
        return BrokerConnector.of(uris, username, password, tls, userId);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (URI uri : uris) {
            out.append(out.length() > 0 ? "," : "").append(BrokerConnector.redact(uri));
        }
        return out + (username != null ? " as " + username : "");
    }
}
