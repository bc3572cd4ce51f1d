package io.drover.transport;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where and how to connect to the broker: URIs (the first preferred, the others tried in order when it cannot be reached), credentials
 * given apart from the URIs (from a file or the environment, so they need not sit in a URI), and TLS.
 * {@link #toString()} never shows a password. The agent ({@code agent.yaml}) and the runner ({@code drover.broker.*})
 * both build theirs with {@link #builder}, so both check the same things.
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

    /**
     * Starts settings for {@code uris}: one URI or several separated by commas or whitespace.
     *
     * @throws IllegalArgumentException when a URI is malformed or none is given
     */
    public static Builder builder(String uris) {
        return new Builder(BrokerConnector.parseAll(uris));
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

    /** Broker settings being assembled; {@link #build()} checks them all. */
    public static final class Builder {
        private final List<URI> uris;
        private String username;
        private String password;
        private Path trustStore;
        private String trustStorePassword;
        private Path keyStore;
        private String keyStorePassword;
        private boolean verifyHostname = true;
        private boolean userId;

        private Builder(List<URI> uris) {
            this.uris = uris;
        }

        /** The broker user, overriding the URI's; {@code null} keeps the URI's. */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /**
         * The broker password, overriding the URI's; {@code null} keeps the URI's. A password kept in a file is
         * read with {@link SecretFile#read}, which refuses a file everyone can read.
         */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** A trust store (PKCS#12 or JKS) with the broker's CA, and its password (or {@code null}). */
        public Builder trustStore(Path file, String password) {
            this.trustStore = file;
            this.trustStorePassword = password;
            return this;
        }

        /** A key store with a client certificate, for brokers that require one, and its password (or {@code null}). */
        public Builder keyStore(Path file, String password) {
            this.keyStore = file;
            this.keyStorePassword = password;
            return this;
        }

        /** Whether the broker's certificate must name the host connected to (default: true). */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /** Stamp published messages with the broker user ({@code user_id}, validated by RabbitMQ). Default: false. */
        public Builder userId(boolean stamp) {
            this.userId = stamp;
            return this;
        }

        /**
         * The settings, checked: the URIs are valid broker URIs and the TLS stores can be read with their passwords.
         *
         * @throws IllegalArgumentException saying what is wrong
         */
        public BrokerSettings build() {
            TlsSettings tls = null;
            if (trustStore != null || keyStore != null) {
                tls = new TlsSettings(trustStore, chars(trustStorePassword), keyStore, chars(keyStorePassword), verifyHostname);
            }
            BrokerSettings settings = new BrokerSettings(uris, username, password, tls, userId);
            settings.connector();
            return settings;
        }

        private static char[] chars(String password) {
            return password == null ? null : password.toCharArray();
        }
    }
}
