package io.drover.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node telling the fleet registry about itself, or a runner retiring a node. Nodes send {@code hello} when
 * they connect, {@code update} when their inventory changes, {@code heartbeat} periodically (identity and the
 * inventory's hash only, to stay small) and {@code goodbye} on a clean shutdown; {@code forget} is an
 * operator's tombstone ({@code drover fleet forget HOST}).
 *
 * @param kind          one of {@link Kind}'s wire names
 * @param identity      the node
 * @param collective    the collective it registers in
 * @param classes       its classes ({@code hello}, {@code update}), else {@code null}
 * @param facts         its facts ({@code hello}, {@code update}), else {@code null}
 * @param agents        its enabled agents ({@code hello}, {@code update}), else {@code null}
 * @param version       the agent's version, or {@code null}
 * @param inventoryHash a digest of classes, facts and agents, so a heartbeat shows whether the inventory is current
 * @param started       when the agent started, epoch ms (0 for {@code forget})
 * @param sent          when this was sent, epoch ms, by the sender's clock
 * @param interval      seconds until the node's next heartbeat, so readers can tell late from absent
 * @param by            who sent a {@code forget}, else {@code null}
 * @param until         for a {@code forget}: the node's latest registration it retires ({@code sent}, by the node's
 *                      clock); anything the node sends later brings it back. 0 for other kinds
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"kind", "identity", "collective", "classes", "facts", "agents", "version", "inventory_hash", "started",
        "sent", "interval", "by", "until"})
public record Registration(
        @JsonProperty(value = "kind", required = true) String kind,
        @JsonProperty(value = "identity", required = true) String identity,
        @JsonProperty(value = "collective", required = true) String collective,
        @JsonProperty("classes") List<String> classes,
        @JsonProperty("facts") Map<String, Object> facts,
        @JsonProperty("agents") List<String> agents,
        @JsonProperty("version") String version,
        @JsonProperty("inventory_hash") String inventoryHash,
        @JsonProperty("started") long started,
        @JsonProperty(value = "sent", required = true) long sent,
        @JsonProperty("interval") int interval,
        @JsonProperty("by") String by,
        @JsonProperty("until") long until) {

    /** What a registration says. */
    public enum Kind {
        HELLO, UPDATE, HEARTBEAT, GOODBYE, FORGET;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The kind of a wire name; throws {@link ProtocolException} for an unknown one. */
        public static Kind of(String wireName) {
            for (Kind kind : values()) {
                if (kind.wireName().equals(wireName)) {
                    return kind;
                }
            }
            throw new ProtocolException("unknown registration kind '" + Names.printable(wireName) + "'");
        }

        /** Whether registrations of this kind carry the node's inventory. */
        public boolean carriesInventory() {
            return this == HELLO || this == UPDATE;
        }
    }

    @JsonCreator
    public Registration {
        Objects.requireNonNull(kind, "kind");
        classes = classes == null ? null : List.copyOf(classes);
        agents = agents == null ? null : List.copyOf(agents);
    }

    public Kind type() {
        return Kind.of(kind);
    }
}
