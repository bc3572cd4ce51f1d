package io.drover.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.protocol.Names;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node's enrolment: a fleet issuer's Ed25519 signature binding a node identity to the node's public key for a
 * period. Runners trust the issuer's public key only, not every node's. Encoded compactly as
 * {@code BASE64URL(body).BASE64URL(signature)}, where the body is canonical JSON (fixed key order, no whitespace):
 * <pre>{"v":1,"identity":"web1.example.com","public_key":"BASE64 X.509","issuer":"fleet","not_before":1700000000,"not_after":1731536000}</pre>
 * The signature covers the body bytes exactly as encoded, so verifying needs no re-encoding. In files it is
 * wrapped in {@code -----BEGIN DROVER NODE CERTIFICATE-----} lines.
 *
 * @param identity  node identity; replies must name it as sender
 * @param publicKey the node's key, which signs its replies
 * @param issuer    name of the issuer key that signed the certificate
 * @param notBefore start of validity
 * @param notAfter  end of validity
 * @param encoded   the compact form, signature included
 */
public record NodeCertificate(String identity, PublicKey publicKey, String issuer, Instant notBefore, Instant notAfter,
                              String encoded) {
    /** Longest compact form accepted: an identity of 253 characters fits with room to spare. */
    public static final int MAX_ENCODED_LENGTH = 2048;
    private static final String LABEL = "DROVER NODE CERTIFICATE";
    private static final Set<String> FIELDS = Set.of("v", "identity", "public_key", "issuer", "not_before", "not_after");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Signs a certificate for {@code identity}'s {@code nodeKey} with the issuer's key. */
    public static NodeCertificate issue(String identity, PublicKey nodeKey, String issuerName, PrivateKey issuerKey,
                                        Instant notBefore, Instant notAfter) {
        if (!Names.isIdentity(identity)) {
            throw new IllegalArgumentException("Node identity '" + Names.printable(identity)
                    + "' is not valid; use letters, digits, '.', '_' and '-' (like a host name)");
        }
        KeyNames.requireKeyName(issuerName);
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("A certificate must end after it starts (" + notBefore + " .. " + notAfter + ")");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("v", 1);
        body.put("identity", identity);
        body.put("public_key", Base64.getEncoder().encodeToString(nodeKey.getEncoded()));
        body.put("issuer", issuerName);
        body.put("not_before", notBefore.getEpochSecond());
        body.put("not_after", notAfter.getEpochSecond());
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String signature = Signatures.sign(issuerKey, bytes).substring(Signatures.PREFIX.length());
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String encoded = url.encodeToString(bytes) + "." + url.encodeToString(Base64.getDecoder().decode(signature));
        return parse(encoded);
    }

    /**
     * Reads the compact form, checking its shape but not its signature ({@link #signedBy}) nor its dates
     * ({@link #problemAt}). Throws {@link IllegalArgumentException} saying what is wrong.
     */
    public static NodeCertificate parse(String encoded) {
        if (encoded == null || encoded.isEmpty() || encoded.length() > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException("certificate is empty or longer than " + MAX_ENCODED_LENGTH + " characters");
        }
        int dot = encoded.indexOf('.');
        if (dot <= 0 || dot != encoded.lastIndexOf('.')) {
            throw new IllegalArgumentException("certificate is not BODY.SIGNATURE");
        }
        JsonNode body;
        try {
            body = JSON.readTree(Base64.getUrlDecoder().decode(encoded.substring(0, dot)));
            Base64.getUrlDecoder().decode(encoded.substring(dot + 1));
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("certificate is not valid Base64 JSON: " + Names.printable(e.getMessage()));
        }
        if (!(body instanceof ObjectNode object)) {
            throw new IllegalArgumentException("certificate body is not a JSON object");
        }
        Set<String> fields = new TreeSet<>();
        object.fieldNames().forEachRemaining(fields::add);
        if (!fields.equals(FIELDS) || object.get("v").asInt() != 1 || !object.get("not_before").canConvertToLong()
                || !object.get("not_after").canConvertToLong() || !object.get("identity").isTextual()
                || !object.get("issuer").isTextual() || !object.get("public_key").isTextual()) {
            throw new IllegalArgumentException("certificate body must have exactly the fields " + new TreeSet<>(FIELDS)
                    + " of version 1, got " + fields);
        }
        String identity = object.get("identity").asText();
        String issuer = object.get("issuer").asText();
        if (!Names.isIdentity(identity) || !KeyNames.isKeyName(issuer)) {
            throw new IllegalArgumentException("certificate names an invalid identity or issuer");
        }
        PublicKey key;
        try {
            key = KeyFactory.getInstance(KeyFiles.ALGORITHM).generatePublic(
                    new X509EncodedKeySpec(Base64.getDecoder().decode(object.get("public_key").asText())));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("certificate public_key is not an Ed25519 key");
        }
        return new NodeCertificate(identity, key, issuer, Instant.ofEpochSecond(object.get("not_before").asLong()),
                Instant.ofEpochSecond(object.get("not_after").asLong()), encoded);
    }

    /** Whether {@code issuerKey} signed exactly this certificate's body. */
    public boolean signedBy(PublicKey issuerKey) {
        int dot = encoded.indexOf('.');
        byte[] body = Base64.getUrlDecoder().decode(encoded.substring(0, dot));
        byte[] signature = Base64.getUrlDecoder().decode(encoded.substring(dot + 1));
        return Signatures.verify(issuerKey, body, Signatures.PREFIX + Base64.getEncoder().encodeToString(signature));
    }

    /** Why the certificate is not valid at {@code now}, or {@code null}. */
    public String problemAt(Instant now) {
        if (now.isBefore(notBefore)) {
            return "the certificate of " + identity + " is not valid before " + notBefore + " (check clocks)";
        }
        if (now.isAfter(notAfter)) {
            return "the certificate of " + identity + " expired at " + notAfter + "; issue a new one with drover keys issue";
        }
        return null;
    }

    /** Writes the certificate as a PEM-style file. */
    public void write(Path file) throws IOException {
        Files.writeString(file, "-----BEGIN " + LABEL + "-----\n" + encoded + "\n-----END " + LABEL + "-----\n");
    }

    /** Reads a file written by {@link #write}; the signature is not checked here. */
    public static NodeCertificate read(Path file) throws IOException {
        if (Files.size(file) > MAX_ENCODED_LENGTH + 200) {
            throw new IOException(file + " is too large for a node certificate");
        }
        String body = KeyFiles.pemBody(file, LABEL, " is not a node certificate (no -----BEGIN " + LABEL + "----- line); make one "
                + "with drover keys issue");
        try {
            return parse(body.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "certificate of " + identity + " by " + issuer + ", valid " + notBefore + " .. " + notAfter;
    }
}
