package io.drover.security;

import io.drover.agent.Node;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyVerifierTest {
    private static final String WEB1 = "web1.example.com";
    private static final String WEB2 = "web2.example.com";
    private static final Instant NOW = Instant.now();
    private final KeyPair issuer = KeyFiles.generate();
    private final ReplyVerifier verifier = new ReplyVerifier(Map.of("fleet", issuer.getPublic()), Clock.systemUTC());
    private final Request request = new Request(Request.newId(), "drover", "rpcutil", "ping", Map.of(), null, List.of(WEB1, WEB2),
            "alice", System.currentTimeMillis(), 30, "ed25519:c2ln");
    private final String digest = JsonCodec.instance().digest(request);

    private NodeCredentials enrol(String identity, String issuerName, KeyPair by, Instant from, Instant to) {
        return NodeCredentials.enrol(identity, issuerName, by.getPrivate(), from, to);
    }

    private NodeCredentials enrol(String identity) {
        return enrol(identity, "fleet", issuer, NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
    }

    private Reply reply(String sender, Status status) {
        return new Reply(request.id(), sender, "rpcutil", "ping", status, "pong", Map.of(), 1);
    }

    private static String problem(ReplyVerifier verifier, Reply reply, String digest) {
        return verifier.problem(JsonCodec.instance().decodeReply(JsonCodec.instance().encode(reply)), digest);
    }

    @Test
    void aGenuineReplyToTheRequestSentIsAccepted() {
        Reply signed = ReplySigner.of(List.of(enrol(WEB1))).sign(reply(WEB1, Status.OK), digest);
        assertNull(problem(verifier, signed, digest));
        assertNull(problem(verifier, signed, digest), "again, from the certificate cache");
    }

    @Test
    void unsignedRepliesAreRejected() {
        assertTrue(problem(verifier, reply(WEB1, Status.OK), digest).startsWith("unsigned reply"));
        Reply digestOnly = ReplySigner.of(List.of()).sign(reply(WEB1, Status.OK), digest);
        assertEquals(digest, digestOnly.requestDigest());
        assertTrue(problem(verifier, digestOnly, digest).startsWith("unsigned reply"), "a node nobody enrolled");
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsRejected() {
        NodeCredentials expired = enrol(WEB1, "fleet", issuer, NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)));
        assertTrue(problem(verifier, ReplySigner.of(List.of(expired)).sign(reply(WEB1, Status.OK), digest), digest).contains("expired"));
        NodeCredentials future = enrol(WEB1, "fleet", issuer, NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(2)));
        assertTrue(problem(verifier, ReplySigner.of(List.of(future)).sign(reply(WEB1, Status.OK), digest), digest)
                .contains("not valid before"));
        ReplyVerifier later = new ReplyVerifier(Map.of("fleet", issuer.getPublic()),
                Clock.fixed(NOW.plus(Duration.ofDays(3)), ZoneOffset.UTC));
        Reply signed = ReplySigner.of(List.of(enrol(WEB1))).sign(reply(WEB1, Status.OK), digest);
        assertNull(problem(verifier, signed, digest));
        assertTrue(problem(later, signed, digest).contains("expired"), "a cached certificate expires too");
    }

    @Test
    void aCertificateOfAnotherIssuerIsRejected() {
        KeyPair rogue = KeyFiles.generate();
        NodeCredentials untrusted = enrol(WEB1, "rogue", rogue, NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
        assertTrue(problem(verifier, ReplySigner.of(List.of(untrusted)).sign(reply(WEB1, Status.OK), digest), digest)
                .contains("issued by rogue, which this runner does not trust"));
        NodeCredentials impostor = enrol(WEB1, "fleet", rogue, NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
        assertTrue(problem(verifier, ReplySigner.of(List.of(impostor)).sign(reply(WEB1, Status.OK), digest), digest)
                .contains("does not verify with issuer fleet"), "the trusted issuer's name, another key");
    }

    @Test
    void aNodeCannotAnswerForAnother() {
        NodeCredentials web1 = enrol(WEB1);
        Reply asWeb2 = reply(WEB2, Status.OK).withAuthentication(digest, web1.certificate().encoded(), null);
        asWeb2 = asWeb2.withSignature(Signatures.sign(web1.key(), JsonCodec.instance().canonical(asWeb2)));
        assertTrue(problem(verifier, asWeb2, digest).contains("carries the certificate of " + WEB1), problem(verifier, asWeb2, digest));
    }

    @Test
    void aReplyAlteredAfterSigningIsRejected() {
        Reply signed = ReplySigner.of(List.of(enrol(WEB1))).sign(reply(WEB1, Status.ABORTED), digest);
        Reply flipped = new Reply(signed.requestId(), signed.sender(), signed.agent(), signed.action(), Status.OK, signed.message(),
                signed.data(), signed.elapsedMs(), signed.requestDigest(), signed.certificate(), signed.signature());
        assertTrue(problem(verifier, flipped, digest).startsWith("reply signature does not verify"));
        Reply rebound = signed.withAuthentication(digest.replace(digest.charAt(0), digest.charAt(0) == 'A' ? 'B' : 'A'),
                signed.certificate(), signed.signature());
        assertNotNull(problem(verifier, rebound, digest), "the digest is signed too");
        Reply badCertificate = signed.withAuthentication(digest, "not-a-certificate", signed.signature());
        assertTrue(problem(verifier, badCertificate, digest).startsWith("bad node certificate"));
    }

    @Test
    void aGenuineAnswerToAnotherRequestOrFromANodeNotAskedIsRejected() {
        Request copy = new Request(request.id(), request.collective(), request.agent(), request.action(), request.params(),
                request.filter(), request.targets(), request.caller(), request.created(), 1, request.signature());
        Reply toCopy = ReplySigner.of(List.of(enrol(WEB1))).sign(reply(WEB1, Status.ABORTED), JsonCodec.instance().digest(copy));
        assertTrue(problem(verifier, toCopy, digest).contains("digest mismatch"), problem(verifier, toCopy, digest));
        Reply genuine = ReplySigner.of(List.of(enrol(WEB1))).sign(reply(WEB1, Status.OK), digest);
        assertTrue(problem(verifier, genuine, null).contains("was not asked"));
    }

    @Test
    void aNodesHandlerSignsWhatItAnswersWithTheDigestOfTheRequest() {
        Node node = Node.build(new NodeSpec(WEB1, List.of("drover"), Set.of(), Map.of(), Map.of()), Plugins.installed());
        RequestHandler handler = new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false,
                new RequestSecurity(null, null, null, ReplySigner.of(List.of(enrol(WEB1)))));
        Request received = JsonCodec.instance().decodeRequest(JsonCodec.instance().encode(request));
        Reply reply = handler.handle(node, received).orElseThrow();
        assertEquals(digest, reply.requestDigest());
        assertNull(problem(verifier, reply, digest));
        Reply unsigned = new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false).handle(node,
                JsonCodec.instance().decodeRequest(JsonCodec.instance().encode(request.withSignature(null)))).orElseThrow();
        assertTrue(problem(verifier, unsigned, JsonCodec.instance().digest(request.withSignature(null))).startsWith("unsigned reply"));
    }
}
