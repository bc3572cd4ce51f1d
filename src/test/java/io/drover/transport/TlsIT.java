package io.drover.transport;

import io.drover.client.Call;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.testing.TestCertificates;
import io.drover.testing.TestFleet;
import io.drover.transport.embedded.EmbeddedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agents and the runner talking to the embedded broker over TLS, with a certificate made by keytool. */
class TlsIT {
    @TempDir
    Path dir;

    @Test
    void agentsAndClientsTalkOverTlsAndNothingElseGetsIn() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults()
                .withCredentials("drover", "tls-secret").withTls(certificates.keyStore(), certificates.password()))) {
            URI uri = broker.amqpUri();
            assertTrue(uri.toString().startsWith("amqps://"), uri.toString());
            TlsSettings trust = new TlsSettings(certificates.trustStore(), certificates.password().toCharArray(), null, null, true);
            BrokerConnector tls = BrokerConnector.of(List.of(uri), null, null, trust);
            assertTrue(tls.isTls());
            try (TestFleet fleet = new TestFleet(tls)) {
                fleet.start("secure1.example.com", Set.of("roles::web"), Map.of("country", "de"), TestFleet.sandboxAgents());
                try (DroverClient client = DroverClient.connect(tls, ClientOptions.defaults().withCollective(fleet.collective()))) {
                    assertEquals(Set.of("secure1.example.com"), client.discover(Filter.all()).identities());
                    assertTrue(client.call(Call.of("rpcutil", "ping").to(Set.of("secure1.example.com"))).allOk());
                }
            }
            // The same broker by host name: the certificate names localhost too, and the host name is checked.
            BrokerConnector byName = BrokerConnector.of(List.of(URI.create("amqps://drover:tls-secret@localhost:" + broker.port())),
                    null, null, trust);
            byName.connect("by name").close();

            URI plain = URI.create("amqp://drover:tls-secret@127.0.0.1:" + broker.port());
            assertThrows(Exception.class, () -> BrokerConnector.of(List.of(plain)).connect("plain").close(),
                    "a plain connection to the TLS port fails");
            Exception untrusted = assertThrows(Exception.class, () -> BrokerConnector.of(List.of(uri)).connect("untrusted").close(),
                    "the JVM's default trust does not know the throwaway certificate");
            assertTrue(String.valueOf(causes(untrusted)).contains("PKIX") || String.valueOf(causes(untrusted)).contains("certificate"),
                    causes(untrusted));
        }
    }

    @Test
    void aBrokerThatRequiresClientCertificatesAdmitsOnlyClientsThatHaveOne() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        char[] password = certificates.password().toCharArray();
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults()
                .withTls(certificates.keyStore(), certificates.password())
                .withClientCertificates(certificates.clientTrustStore(), certificates.password()))) {
            TlsSettings withCertificate = new TlsSettings(certificates.trustStore(), password, certificates.clientKeyStore(), password, true);
            BrokerConnector.of(List.of(broker.amqpUri()), null, null, withCertificate).connect("with a certificate").close();
            TlsSettings without = new TlsSettings(certificates.trustStore(), password, null, null, true);
            assertThrows(Exception.class, () -> BrokerConnector.of(List.of(broker.amqpUri()), null, null, without)
                    .connect("without a certificate").close());
        }
    }

    private static String causes(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t).append(" <- ");
        }
        return out.toString();
    }
}
