package io.drover.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A request envelope: ask the {@code action} of {@code agent} on every node that matches {@code filter}
 * (broadcast) or on exactly the node named in {@code targets} (directed).
 *
 * @param id         unique per request; agents refuse an id they have already seen inside its TTL
 * @param collective the group of nodes the request is addressed to
 * @param agent      agent plugin name, e.g. {@code firewall}
 * @param action     action of that agent, e.g. {@code block}
 * @param params     action inputs; validated by the agent against the action's declaration
 * @param filter     discovery filter expression for broadcasts, or {@code null} for all nodes
 * @param targets    identities of the nodes a directed request is meant for, or {@code null} for a broadcast
 * @param caller     who sent the request
 * @param created    creation time, epoch milliseconds
 * @param ttl        seconds after {@code created} during which the request may be acted on
 * @param dryRun     {@code true}: report what the action would do and change nothing. Written only when true, so a
 *                   real request is byte for byte what it always was, and an agent that does not know the field
 *                   refuses a dry run as malformed (unknown field) instead of acting on it; covered by the signature
 * @param signature  signature over the canonical envelope, or {@code null} when unsigned
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"id", "collective", "agent", "action", "params", "filter", "targets", "caller", "created", "ttl", "dry_run",
        "signature"})
public record Request(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty(value = "collective", required = true) String collective,
        @JsonProperty(value = "agent", required = true) String agent,
        @JsonProperty(value = "action", required = true) String action,
        @JsonProperty("params") Map<String, Object> params,
        @JsonProperty("filter") String filter,
        @JsonProperty("targets") List<String> targets,
        @JsonProperty(value = "caller", required = true) String caller,
        @JsonProperty(value = "created", required = true) long created,
        @JsonProperty(value = "ttl", required = true) int ttl,
        @JsonProperty("dry_run") @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean dryRun,
        @JsonProperty("signature") String signature) {

    @JsonCreator
    public Request {
        params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        targets = targets == null ? null : List.copyOf(targets);
        // Absent (or null) is false: never null, so a decoded request and the one sent compare and encode alike.
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** A request that acts (not a dry run). */
    public Request(String id, String collective, String agent, String action, Map<String, Object> params, String filter,
                   List<String> targets, String caller, long created, int ttl, String signature) {
        this(id, collective, agent, action, params, filter, targets, caller, created, ttl, false, signature);
    }

    /** A fresh random request id. */
    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** True when this request names its target nodes rather than filtering a broadcast. */
    public boolean isDirected() {
        return targets != null;
    }

    /** Epoch milliseconds after which the request must no longer be acted on. */
    public long expiresAt() {
        return created + ttl * 1000L;
    }

    /** The same request addressed to other targets. */
    public Request withTargets(List<String> newTargets) {
        return new Request(id, collective, agent, action, params, filter, newTargets, caller, created, ttl, dryRun, signature);
    }

    /** The same request carrying a signature. */
    public Request withSignature(String newSignature) {
        return new Request(id, collective, agent, action, params, filter, targets, caller, created, ttl, dryRun, newSignature);
    }

    /** The same request as a dry run ({@code true}) or as one that acts; the signature must be made again. */
    public Request withDryRun(boolean newDryRun) {
        return new Request(id, collective, agent, action, params, filter, targets, caller, created, ttl, newDryRun, signature);
    }

    /** {@code agent.action}, the way logs and reports name an action. */
    public String qualifiedAction() {
        return agent + "." + action;
    }
}
