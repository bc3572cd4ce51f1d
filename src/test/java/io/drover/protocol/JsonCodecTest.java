package io.drover.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonCodecTest {
    private final JsonCodec codec = JsonCodec.instance();

    private static Request request() {
        return new Request("0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10", "drover", "firewall", "block",
                Map.of("address", "192.168.1.1"), "class(roles::dev_server) and country == de", null,
                "alice", 1_700_000_000_000L, 30, null);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void requestRoundTrips() {
        Request original = request();
        Request decoded = codec.decodeRequest(codec.encode(original));
        assertEquals(original, decoded);
        assertFalse(decoded.isDirected());
        assertEquals(1_700_000_030_000L, decoded.expiresAt());
    }

    @Test
    void directedRequestRoundTrips() {
        Request directed = request().withTargets(List.of("web01.de.example.com"));
        Request decoded = codec.decodeRequest(codec.encode(directed));
        assertTrue(decoded.isDirected());
        assertEquals(List.of("web01.de.example.com"), decoded.targets());
    }

    @Test
    void wireFormatUsesTheDocumentedFieldNames() {
        String text = new String(codec.encode(request()), StandardCharsets.UTF_8);
        assertEquals("{\"id\":\"0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10\",\"collective\":\"drover\",\"agent\":\"firewall\","
                + "\"action\":\"block\",\"params\":{\"address\":\"192.168.1.1\"},"
                + "\"filter\":\"class(roles::dev_server) and country == de\",\"targets\":null,\"caller\":\"alice\","
                + "\"created\":1700000000000,\"ttl\":30,\"signature\":null}", text);
        Reply reply = new Reply("0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10", "web01", "firewall", "block", Status.OK,
                "blocked", Map.of("changed", true), 3);
        assertEquals("{\"request_id\":\"0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10\",\"sender\":\"web01\",\"agent\":\"firewall\","
                + "\"action\":\"block\",\"status\":0,\"message\":\"blocked\",\"data\":{\"changed\":true},\"elapsed_ms\":3,\"request_digest\":null,"
                + "\"certificate\":null,\"signature\":null}",
                new String(codec.encode(reply), StandardCharsets.UTF_8));
    }

    @Test
    void theRequestDigestCoversTheWholeEnvelopeAndSurvivesTheWire() {
        Request sent = request().withTargets(List.of("web01", "web02")).withSignature("ed25519:c2ln");
        String digest = codec.digest(sent);
        assertEquals(43, digest.length(), digest);
        assertEquals(digest, codec.digest(codec.decodeRequest(codec.encode(sent))), "the node digests what the client sent");
        assertEquals(digest, codec.digest(codec.decodeRequest(codec.encode(sent))), "stable");
        Map<String, Object> params = new HashMap<>(sent.params());
        params.put("address", "192.168.1.2");
        for (Request altered : List.of(
                new Request(sent.id(), sent.collective(), sent.agent(), sent.action(), sent.params(), sent.filter(), sent.targets(),
                        sent.caller(), sent.created(), sent.ttl() + 1, sent.signature()),
                new Request(sent.id(), sent.collective(), sent.agent(), sent.action(), params, sent.filter(), sent.targets(),
                        sent.caller(), sent.created(), sent.ttl(), sent.signature()),
                sent.withTargets(List.of("web01")),
                sent.withSignature("ed25519:b3RoZXI="),
                sent.withSignature(null))) {
            assertFalse(digest.equals(codec.digest(altered)), "a change anywhere changes the digest: " + altered);
        }
    }

    @Test
    void replyAuthenticationFieldsRoundTripAndAreBounded() {
        Reply reply = new Reply("0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10", "web01", "firewall", "block", Status.OK, "ok", Map.of(), 1)
                .withAuthentication(codec.digest(request()), "Y2VydA.c2ln", "ed25519:c2ln");
        Reply decoded = codec.decodeReply(codec.encode(reply));
        assertEquals(reply, decoded);
        assertThrows(ProtocolException.class, () -> codec.decodeReply(codec.encode(reply.withAuthentication("not a digest", null, null))));
        assertThrows(ProtocolException.class, () -> codec.decodeReply(codec.encode(
                reply.withAuthentication(reply.requestDigest(), "x".repeat(JsonCodec.MAX_CERTIFICATE_LENGTH + 1), null))));
    }

    @Test
    void replyRoundTripsWithEveryStatus() {
        for (Status status : Status.values()) {
            Reply reply = new Reply("0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10", "web01", "package", "update", status,
                    "msg", Map.of("changed", false, "version", "4.2.6-3.el5"), 12);
            Reply decoded = codec.decodeReply(codec.encode(reply));
            assertEquals(status, decoded.status());
            assertEquals("4.2.6-3.el5", decoded.get("version"));
            assertFalse(decoded.changed());
        }
        assertEquals(4, Status.INVALID_DATA.code());
        assertEquals("4 invalid data", Status.INVALID_DATA.toString());
    }

    @Test
    void paramsMayHoldNullValues() {
        Map<String, Object> params = new HashMap<>();
        params.put("package", "mywebapp");
        params.put("version", null);
        Request withNull = new Request(Request.newId(), "drover", "package", "install", params, null, null, "bob",
                System.currentTimeMillis(), 10, null);
        Request decoded = codec.decodeRequest(codec.encode(withNull));
        assertTrue(decoded.params().containsKey("version"));
        assertNull(decoded.params().get("version"));
    }

    @Test
    void canonicalFormExcludesTheSignatureAndIsStable() {
        Request signed = request().withSignature("c2lnbmF0dXJl");
        assertArrayEquals(codec.canonical(request()), codec.canonical(signed));
        Map<String, Object> reordered = new java.util.LinkedHashMap<>();
        reordered.put("b", 1);
        reordered.put("a", 2);
        Request one = new Request(request().id(), "drover", "x", "y", reordered, null, null, "c", 1, 1, null);
        Map<String, Object> sorted = new java.util.TreeMap<>(reordered);
        Request two = new Request(request().id(), "drover", "x", "y", sorted, null, null, "c", 1, 1, null);
        assertArrayEquals(codec.canonical(one), codec.canonical(two));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not json",
            "null",
            "[]",
            "{\"id\":\"0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10\"}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":30,\"extra\":1}",
            "{\"id\":\"bad id!\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":30}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"Firewall;rm\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":30}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":0}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":999999}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":-5,\"ttl\":30}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":null}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":30,\"targets\":[\"-rf\"]}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":30,\"params\":{\"Bad Key\":1}}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\\nb\",\"created\":1,\"ttl\":30}",
            "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\",\"caller\":\"a\",\"created\":1,\"ttl\":30} trailing",
    })
    void malformedRequestsAreRefusedWithAReason(String body) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decodeRequest(json(body)));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void deeplyNestedParamsAreRefused() {
        String nested = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
        String body = "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\","
                + "\"caller\":\"a\",\"created\":1,\"ttl\":30,\"params\":{\"x\":" + nested + "}}";
        assertThrows(ProtocolException.class, () -> codec.decodeRequest(json(body)));
    }

    @Test
    void oversizedMessagesAreRefusedBeforeParsing() {
        byte[] huge = new byte[JsonCodec.MAX_MESSAGE_BYTES + 1];
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decodeRequest(huge));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @Test
    void aDryRunIsMarkedInTheEnvelopeAndItsCanonicalFormAndARealRequestIsUnchanged() {
        String real = new String(codec.encode(request()), StandardCharsets.UTF_8);
        assertFalse(real.contains("dry_run"), "a request that acts is written as before the field existed: " + real);
        Request dry = request().withDryRun(true);
        String text = new String(codec.encode(dry), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\"ttl\":30,\"dry_run\":true,\"signature\":null}"), text);
        assertTrue(new String(codec.canonical(dry.withSignature("ed25519:x")), StandardCharsets.UTF_8).contains("\"dry_run\":true"));
        Request decoded = codec.decodeRequest(codec.encode(dry));
        assertTrue(decoded.dryRun());
        assertEquals(dry, decoded);
        assertFalse(codec.decodeRequest(codec.encode(request())).dryRun());
        // Removing the mark changes the signed bytes and the digest, so a relay cannot turn a dry run into a real one.
        assertFalse(java.util.Arrays.equals(codec.canonical(dry), codec.canonical(request())));
        assertFalse(codec.digest(dry).equals(codec.digest(request())));
    }

    @Test
    void aDecoderThatDoesNotKnowDryRunsRefusesOneInsteadOfActingOnIt() {
        // What an agent from before the field does: its codec refuses unknown fields, so the request is dropped unread.
        com.fasterxml.jackson.databind.ObjectMapper older = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        byte[] dry = codec.encode(request().withDryRun(true));
        assertThrows(com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException.class,
                () -> older.readValue(dry, OlderRequest.class));
        assertEquals("block", assertDoesNotThrowRead(older, codec.encode(request())).action());
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decodeRequest(json(
                new String(dry, StandardCharsets.UTF_8).replace("\"dry_run\":true", "\"dry_run\":\"yes\""))));
        assertTrue(e.getMessage().startsWith("malformed request"), e.getMessage());
    }

    private static OlderRequest assertDoesNotThrowRead(com.fasterxml.jackson.databind.ObjectMapper mapper, byte[] body) {
        try {
            return mapper.readValue(body, OlderRequest.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The request envelope as agents before dry runs declared it. */
    record OlderRequest(@com.fasterxml.jackson.annotation.JsonProperty("id") String id,
                        @com.fasterxml.jackson.annotation.JsonProperty("collective") String collective,
                        @com.fasterxml.jackson.annotation.JsonProperty("agent") String agent,
                        @com.fasterxml.jackson.annotation.JsonProperty("action") String action,
                        @com.fasterxml.jackson.annotation.JsonProperty("params") Map<String, Object> params,
                        @com.fasterxml.jackson.annotation.JsonProperty("filter") String filter,
                        @com.fasterxml.jackson.annotation.JsonProperty("targets") List<String> targets,
                        @com.fasterxml.jackson.annotation.JsonProperty("caller") String caller,
                        @com.fasterxml.jackson.annotation.JsonProperty("created") long created,
                        @com.fasterxml.jackson.annotation.JsonProperty("ttl") int ttl,
                        @com.fasterxml.jackson.annotation.JsonProperty("signature") String signature) {
    }

    @Test
    void unknownFieldIsNamed() {
        String body = "{\"id\":\"0b6f0d2e\",\"collective\":\"drover\",\"agent\":\"firewall\",\"action\":\"block\","
                + "\"caller\":\"a\",\"created\":1,\"ttl\":30,\"sudo\":true}";
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decodeRequest(json(body)));
        assertTrue(e.getMessage().contains("'sudo'"), e.getMessage());
    }

    @Test
    void malformedRepliesAreRefused() {
        assertThrows(ProtocolException.class, () -> codec.decodeReply(json("{\"request_id\":\"0b6f0d2e\",\"sender\":\"w\",\"agent\":\"a\",\"action\":\"b\",\"status\":9}")));
        assertThrows(ProtocolException.class, () -> codec.decodeReply(json("{\"request_id\":\"0b6f0d2e\",\"sender\":\"bad sender\",\"agent\":\"a\",\"action\":\"b\",\"status\":0}")));
        assertThrows(ProtocolException.class, () -> codec.decodeReply(json("{\"sender\":\"w\",\"agent\":\"a\",\"action\":\"b\",\"status\":0}")));
    }

    @Test
    void printableEscapesControlCharactersAndCapsLength() {
        assertEquals("a\\x0ab", Names.printable("a\nb"));
        assertTrue(Names.printable("x".repeat(500)).endsWith("..."));
        assertTrue(Names.printable("x".repeat(500)).length() < 100);
    }
}
