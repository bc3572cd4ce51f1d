package io.drover.security;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Names;
import io.drover.protocol.Reply;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runner's check that a reply comes from the node that was asked and answers the request that was sent:
 * the node's certificate is signed by a trusted fleet issuer and valid now, names the reply's sender, the reply
 * carries the digest of the request sent to that sender, and the reply is signed by the certificate's key.
 * Certificates whose issuer signature verified are remembered, so a fleet costs one issuer check per node, not
 * per reply. Thread-safe.
 */
public final class ReplyVerifier {
    static final int CACHE_LIMIT = 50_000;

    private final Map<String, PublicKey> issuers;
    private final Clock clock;
    private final Map<String, Checked> verified = new ConcurrentHashMap<>();

    /** A certificate whose issuer signature held, with its key ready to check replies. */
    private record Checked(NodeCertificate certificate, Signatures.VerifyingKey key) {
    }

    /** @param issuers trusted issuer public keys by issuer name */
    public ReplyVerifier(Map<String, PublicKey> issuers, Clock clock) {
        if (issuers.isEmpty()) {
            throw new IllegalArgumentException("A reply verifier needs at least one trusted issuer key");
        }
        this.issuers = Map.copyOf(issuers);
        this.clock = clock;
    }

    /** Trusts the issuer keys in {@code files} ({@code NAME.pub}: issuer NAME). */
    public static ReplyVerifier load(List<Path> files) throws IOException {
        Map<String, PublicKey> keys = new TreeMap<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            name = name.endsWith(".pub") ? name.substring(0, name.length() - 4) : name;
            if (!KeyNames.isKeyName(name)) {
                throw new IOException("Issuer key " + file + " must be named ISSUER.pub, ISSUER being the issuer name");
            }
            keys.put(name, KeyFiles.readPublic(file));
        }
        return new ReplyVerifier(keys, Clock.systemUTC());
    }

    /** Names of the trusted issuers. */
    public java.util.Set<String> issuers() {
        return new java.util.TreeSet<>(issuers.keySet());
    }

    /**
     * Why the reply must be rejected, or {@code null} when it is authentic.
     *
     * @param sentDigest digest of the request sent to the reply's sender, or {@code null} when it was not asked
     */
    public String problem(Reply reply, String sentDigest) {
        String sender = Names.printable(reply.sender());
        if (reply.signature() == null || reply.certificate() == null) {
            return "unsigned reply; this runner accepts only replies signed by an enrolled node (drover keys issue)";
        }
        Checked checked;
        try {
            checked = certificate(reply.certificate());
        } catch (IllegalArgumentException e) {
            return "bad node certificate: " + e.getMessage();
        }
        NodeCertificate certificate = checked.certificate();
        String expired = certificate.problemAt(clock.instant());
        if (expired != null) {
            return expired;
        }
        if (!certificate.identity().equals(reply.sender())) {
            return "reply from " + sender + " carries the certificate of " + certificate.identity()
                    + " (another node answering for it)";
        }
        if (!checked.key().verify(JsonCodec.instance().canonical(reply), reply.signature())) {
            return "reply signature does not verify with the certificate of " + sender + " (forged or altered)";
        }
        if (sentDigest == null) {
            return sender + " was not asked by this request";
        }
        if (!sentDigest.equals(reply.requestDigest())) {
            return "genuine reply of " + sender + " to a different request than the one sent (request digest mismatch: "
                    + "a copy altered or forged on the way)";
        }
        return null;
    }

    /** The certificate, its issuer signature checked (once per distinct certificate). */
    private Checked certificate(String encoded) {
        Checked known = verified.get(encoded);
        if (known != null) {
            return known;
        }
        NodeCertificate certificate = NodeCertificate.parse(encoded);
        PublicKey issuer = issuers.get(certificate.issuer());
        if (issuer == null) {
            throw new IllegalArgumentException("issued by " + Names.printable(certificate.issuer())
                    + ", which this runner does not trust (trusted: " + issuers() + ")");
        }
        if (!certificate.signedBy(issuer)) {
            throw new IllegalArgumentException("the certificate of " + certificate.identity()
                    + " does not verify with issuer " + certificate.issuer() + "'s key (forged or altered)");
        }
        if (verified.size() >= CACHE_LIMIT) {
            verified.clear();
        }
        Checked checked = new Checked(certificate, new Signatures.VerifyingKey(certificate.publicKey()));
        verified.put(encoded, checked);
        return checked;
    }
}
