package io.drover.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeCertificateTest {
    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2027-01-01T00:00:00Z");
    private final KeyPair issuer = KeyFiles.generate();
    private final KeyPair node = KeyFiles.generate();

    private NodeCertificate certificate() {
        return NodeCertificate.issue("web1.example.com", node.getPublic(), "fleet", issuer.getPrivate(), FROM, TO);
    }

    @Test
    void anIssuedCertificateBindsIdentityKeyIssuerAndPeriod() {
        NodeCertificate certificate = NodeCertificate.parse(certificate().encoded());
        assertEquals("web1.example.com", certificate.identity());
        assertEquals(node.getPublic(), certificate.publicKey());
        assertEquals("fleet", certificate.issuer());
        assertEquals(FROM, certificate.notBefore());
        assertEquals(TO, certificate.notAfter());
        assertTrue(certificate.signedBy(issuer.getPublic()));
        assertFalse(certificate.signedBy(KeyFiles.generate().getPublic()), "another issuer's key");
        assertTrue(certificate.encoded().length() < 600, "small enough to travel with every reply: " + certificate.encoded().length());
    }

    @Test
    void theBodyIsCanonicalJson() {
        String body = new String(Base64.getUrlDecoder().decode(certificate().encoded().split("\\.")[0]), StandardCharsets.UTF_8);
        assertEquals("{\"v\":1,\"identity\":\"web1.example.com\",\"public_key\":\""
                + Base64.getEncoder().encodeToString(node.getPublic().getEncoded())
                + "\",\"issuer\":\"fleet\",\"not_before\":1767225600,\"not_after\":1798761600}", body);
        assertEquals(certificate().encoded(), certificate().encoded(), "Ed25519 is deterministic: same input, same certificate");
    }

    @Test
    void validityIsCheckedAtBothEnds() {
        NodeCertificate certificate = certificate();
        assertNull(certificate.problemAt(Instant.parse("2026-06-01T00:00:00Z")));
        assertTrue(certificate.problemAt(Instant.parse("2027-01-02T00:00:00Z")).contains("expired"));
        assertTrue(certificate.problemAt(Instant.parse("2025-12-31T00:00:00Z")).contains("not valid before"));
    }

    @Test
    void aTamperedCertificateNoLongerVerifies() {
        String encoded = certificate().encoded();
        String body = new String(Base64.getUrlDecoder().decode(encoded.split("\\.")[0]), StandardCharsets.UTF_8);
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                body.replace("web1.example.com", "web2.example.com").getBytes(StandardCharsets.UTF_8)) + "." + encoded.split("\\.")[1];
        NodeCertificate parsed = NodeCertificate.parse(forged);
        assertEquals("web2.example.com", parsed.identity());
        assertFalse(parsed.signedBy(issuer.getPublic()), "the issuer signed web1, not web2");
    }

    @Test
    void malformedCertificatesAreRefusedWithAReason() {
        for (String bad : new String[]{"", "nodot", "a.b.c", "%%%.%%%", Base64.getUrlEncoder().encodeToString("[1]".getBytes()) + ".AA",
                Base64.getUrlEncoder().encodeToString("{\"v\":1,\"identity\":\"x\"}".getBytes()) + ".AA", "x".repeat(5000)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeCertificate.parse(bad), bad);
            assertNotNull(e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> NodeCertificate.issue("bad identity!", node.getPublic(), "fleet", issuer.getPrivate(), FROM, TO));
        assertThrows(IllegalArgumentException.class,
                () -> NodeCertificate.issue("web1", node.getPublic(), "fleet", issuer.getPrivate(), TO, FROM));
    }

    @Test
    void aCertificateFileRoundTripsAndCredentialsMustMatchIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.crt");
        certificate().write(file);
        assertTrue(Files.readString(file).startsWith("-----BEGIN DROVER NODE CERTIFICATE-----\n"));
        assertEquals(certificate(), NodeCertificate.read(file));
        assertEquals("web1.example.com", NodeCredentials.matching(node.getPrivate(), NodeCertificate.read(file)).identity());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeCredentials.matching(KeyFiles.generate().getPrivate(), NodeCertificate.read(file)));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }
}
