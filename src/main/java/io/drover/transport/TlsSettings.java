package io.drover.transport;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * TLS to the broker: the certificates to trust (a trust store; the JVM's own when none is given) and an
 * optional client certificate (a key store). Stores may be PKCS#12 or JKS.
 *
 * @param trustStore         trust store file, or {@code null} for the JVM's default trust
 * @param trustStorePassword its password, or {@code null}
 * @param keyStore           key store with the client certificate, or {@code null}
 * @param keyStorePassword   its password, or {@code null}
 * @param verifyHostname     check that the broker's certificate names the host connected to
 */
record TlsSettings(Path trustStore, char[] trustStorePassword, Path keyStore, char[] keyStorePassword,
                          boolean verifyHostname) {
    SSLContext context() throws IOException {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore == null ? null : load(trustStore, trustStorePassword));
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keyStore, keyStorePassword), keyStorePassword == null ? new char[0] : keyStorePassword);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot set up TLS to the broker: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        try {
            return KeyStore.getInstance(file.toFile(), password == null ? new char[0] : password);
        } catch (IOException e) {
            throw new IOException("Cannot read the key store " + file + " (wrong password?): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TlsSettings[trustStore=" + trustStore + ", keyStore=" + keyStore + ", verifyHostname=" + verifyHostname + "]";
    }
}
