package io.drover.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Map;
import java.util.Objects;

/**
 * One node's answer to one request.
 *
 * @param requestId the {@link Request#id()} answered
 * @param sender    identity of the answering node
 * @param agent     agent of the request
 * @param action    action of the request
 * @param status    outcome, MCollective's status codes
 * @param message   human readable outcome; says why on failure
 * @param data      action outputs, e.g. {@code changed}, {@code version}
 * @param elapsedMs time the node spent on the request
 * @param requestDigest SHA-256 of the request envelope answered ({@link JsonCodec#digest}), so a reply to an altered
 *                      copy of a request cannot pass for the answer to the original
 * @param certificate   the sender's node certificate (compact form), whose key made {@code signature}
 * @param signature     the node's signature over the canonical reply (everything but the signature), or {@code null}
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"request_id", "sender", "agent", "action", "status", "message", "data", "elapsed_ms", "request_digest", "certificate", "signature"})
public record Reply(
        @JsonProperty(value = "request_id", required = true) String requestId,
        @JsonProperty(value = "sender", required = true) String sender,
        @JsonProperty(value = "agent", required = true) String agent,
        @JsonProperty(value = "action", required = true) String action,
        @JsonProperty(value = "status", required = true) Status status,
        @JsonProperty("message") String message,
        @JsonProperty("data") Map<String, Object> data,
        @JsonProperty("elapsed_ms") long elapsedMs,
        @JsonProperty("request_digest") String requestDigest,
        @JsonProperty("certificate") String certificate,
        @JsonProperty("signature") String signature) {

    /** Data output of idempotent actions: whether this run changed anything (false in a dry run). */
    public static final String CHANGED = "changed";
    /** Data output of every action run as a dry run: {@code true}. */
    public static final String DRY_RUN = "dry_run";
    /** Data output of a dry run: whether the action would change anything, mirroring {@link #CHANGED}. */
    public static final String WOULD_CHANGE = "would_change";

    @JsonCreator
    public Reply {
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
        data = data == null ? Map.of() : data;
    }

    /** An unsigned reply. */
    public Reply(String requestId, String sender, String agent, String action, Status status, String message,
                 Map<String, Object> data, long elapsedMs) {
        this(requestId, sender, agent, action, status, message, data, elapsedMs, null, null, null);
    }

    /** The same reply carrying a signature. */
    public Reply withSignature(String newSignature) {
        return new Reply(requestId, sender, agent, action, status, message, data, elapsedMs, requestDigest, certificate, newSignature);
    }

    /** The same reply bound to a request digest, with a certificate and signature. */
    public Reply withAuthentication(String newRequestDigest, String newCertificate, String newSignature) {
        return new Reply(requestId, sender, agent, action, status, message, data, elapsedMs, newRequestDigest, newCertificate,
                newSignature);
    }

    public boolean isOk() {
        return status.isOk();
    }

    /** The {@code changed} output of idempotent actions; false when the action does not report it. */
    public boolean changed() {
        return Boolean.TRUE.equals(data.get("changed"));
    }

    /** Whether the node answered this as a dry run: it changed nothing, and its data is a prediction. */
    public boolean dryRun() {
        return Boolean.TRUE.equals(data.get(DRY_RUN));
    }

    /** The {@code would_change} output of a dry run; false when there is none. */
    public boolean wouldChange() {
        return Boolean.TRUE.equals(data.get(WOULD_CHANGE));
    }

    /** A data output, or {@code null}. */
    public Object get(String key) {
        return data.get(key);
    }
}
