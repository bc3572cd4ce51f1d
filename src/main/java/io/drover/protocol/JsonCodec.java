package io.drover.protocol;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes the JSON envelopes of wire protocol v1, and checks every decoded envelope against
 * the protocol's limits before anyone acts on it. Thread-safe.
 */
public final class JsonCodec {
    /** Largest message body accepted, checked before parsing. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;
    /** Longest filter expression accepted. */
    public static final int MAX_FILTER_LENGTH = 4096;
    /** Longest accepted request TTL, in seconds. */
    public static final int MAX_TTL_SECONDS = 86_400;
    static final int MAX_PARAMS = 64;
    static final int MAX_TARGETS = 10_000;
    static final int MAX_CALLER_LENGTH = 256;
    /** Longest node certificate a reply may carry (see {@code io.drover.security.NodeCertificate}). */
    static final int MAX_CERTIFICATE_LENGTH = 2048;
    private static final java.util.regex.Pattern DIGEST = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{43}");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            // Only the annotated record components are wire fields, never convenience accessors like isOk().
            .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16)
                .maxNumberLength(64)
                .maxStringLength(MAX_MESSAGE_BYTES)
                .build());
    }

    private static final JsonCodec INSTANCE = new JsonCodec();

    private JsonCodec() {
    }

    public static JsonCodec instance() {
        return INSTANCE;
    }

    public byte[] encode(Request request) {
        return write(request);
    }

    public byte[] encode(Reply reply) {
        return write(reply);
    }

    /**
     * The bytes a signature covers: the whole envelope without its signature, keys in a fixed order.
     */
    public byte[] canonical(Request request) {
        return write(request.withSignature(null));
    }

    /** The bytes a node's reply signature covers: the whole reply without its signature. */
    public byte[] canonical(Reply reply) {
        return write(reply.withSignature(null));
    }

    /** Any value as JSON with map keys sorted: stable bytes to hash. */
    public byte[] canonicalJson(Object value) {
        return write(value);
    }

    public byte[] encode(Registration registration) {
        return write(registration);
    }

    /** Decodes and checks a registration; throws {@link ProtocolException} naming the first problem. */
    public Registration decodeRegistration(byte[] body) {
        Registration registration = read(body, Registration.class, "registration");
        Registration.Kind kind = registration.type();
        Names.require(Names.IDENTITY, registration.identity(), "registration identity");
        Names.require(Names.COLLECTIVE, registration.collective(), "registration collective");
        if (registration.sent() <= 0) {
            throw new ProtocolException("registration sent must be a positive epoch time in milliseconds");
        }
        if (kind.carriesInventory() && (registration.classes() == null || registration.facts() == null || registration.agents() == null)) {
            throw new ProtocolException("a " + registration.kind() + " registration must carry classes, facts and agents");
        }
        if (registration.agents() != null) {
            for (String agent : registration.agents()) {
                Names.require(Names.AGENT, agent, "registration agent");
            }
        }
        if (registration.interval() < 0 || registration.interval() > MAX_TTL_SECONDS) {
            throw new ProtocolException("registration interval " + registration.interval() + " s is out of range 0.." + MAX_TTL_SECONDS);
        }
        return registration;
    }

    /**
     * SHA-256 of the whole request envelope, signature included, as this codec writes it (Base64url, no padding).
     * A node digests the request it decoded; a client digests what it sent, decoded the same way, so both sides
     * agree byte for byte.
     */
    public String digest(Request request) {
        try {
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    java.security.MessageDigest.getInstance("SHA-256").digest(write(request)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no SHA-256", e);
        }
    }

    /** Decodes and checks a request; throws {@link ProtocolException} naming the first problem. */
    public Request decodeRequest(byte[] body) {
        Request request = read(body, Request.class, "request");
        check(request);
        return request;
    }

    /** Decodes and checks a reply; throws {@link ProtocolException} naming the first problem. */
    public Reply decodeReply(byte[] body) {
        Reply reply = read(body, Reply.class, "reply");
        Names.require(Names.REQUEST_ID, reply.requestId(), "reply request_id");
        Names.require(Names.IDENTITY, reply.sender(), "reply sender");
        if (reply.requestDigest() != null && !DIGEST.matcher(reply.requestDigest()).matches()) {
            throw new ProtocolException("reply request_digest is not a Base64url SHA-256");
        }
        if (reply.certificate() != null && reply.certificate().length() > MAX_CERTIFICATE_LENGTH) {
            throw new ProtocolException("reply certificate is longer than " + MAX_CERTIFICATE_LENGTH + " characters");
        }
        return reply;
    }

    /** Checks an envelope against the protocol limits; used by senders too, so nothing unreadable leaves. */
    public static Request check(Request request) {
        Names.require(Names.REQUEST_ID, request.id(), "request id");
        Names.require(Names.COLLECTIVE, request.collective(), "collective");
        Names.require(Names.AGENT, request.agent(), "agent");
        Names.require(Names.AGENT, request.action(), "action");
        if (request.caller() == null || request.caller().isEmpty() || request.caller().length() > MAX_CALLER_LENGTH
                || request.caller().chars().anyMatch(Character::isISOControl)) {
            throw new ProtocolException("caller must be 1 to " + MAX_CALLER_LENGTH + " printable characters");
        }
        if (request.created() <= 0) {
            throw new ProtocolException("created must be a positive epoch time in milliseconds");
        }
        if (request.ttl() < 1 || request.ttl() > MAX_TTL_SECONDS) {
            throw new ProtocolException("ttl " + request.ttl() + " s is out of range 1.." + MAX_TTL_SECONDS);
        }
        if (request.filter() != null && request.filter().length() > MAX_FILTER_LENGTH) {
            throw new ProtocolException("filter is longer than " + MAX_FILTER_LENGTH + " characters");
        }
        List<String> targets = request.targets();
        if (targets != null) {
            if (targets.size() > MAX_TARGETS) {
                throw new ProtocolException("more than " + MAX_TARGETS + " targets in one request");
            }
            for (String target : targets) {
                Names.require(Names.IDENTITY, target, "target");
            }
        }
        Map<String, Object> params = request.params();
        if (params.size() > MAX_PARAMS) {
            throw new ProtocolException("more than " + MAX_PARAMS + " params");
        }
        for (String key : params.keySet()) {
            Names.require(Names.INPUT, key, "param name");
        }
        return request;
    }

    private static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new ProtocolException("Cannot encode " + value.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static <T> T read(byte[] body, Class<T> type, String what) {
        if (body == null || body.length == 0) {
            throw new ProtocolException("empty " + what);
        }
        if (body.length > MAX_MESSAGE_BYTES) {
            throw new ProtocolException(what + " of " + body.length + " bytes exceeds the limit of " + MAX_MESSAGE_BYTES);
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new ProtocolException("malformed " + what + ": null");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new ProtocolException("malformed " + what + ": unknown field '" + Names.printable(e.getPropertyName()) + "'", e);
        } catch (JsonProcessingException e) {
            throw new ProtocolException("malformed " + what + ": " + Names.printable(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ProtocolException("unreadable " + what + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("malformed " + what + ": " + Names.printable(e.getMessage()), e);
        }
    }
}
