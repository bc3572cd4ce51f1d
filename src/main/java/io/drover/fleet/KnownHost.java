package io.drover.fleet;

import io.drover.filter.NodeView;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What the registry knows of one node: its inventory as last registered, when it was last heard from, and
 * whether its agent said goodbye (a clean shutdown) since.
 *
 * @param identity  the node
 * @param classes   classes as last registered
 * @param facts     facts as last registered
 * @param agents    enabled agents as last registered
 * @param version   agent version
 * @param started   when its agent started
 * @param lastSeen  when the node last registered, by the node's clock
 * @param interval  the node's heartbeat interval
 * @param stopped   true when the node's latest word was a goodbye
 */
public record KnownHost(String identity, Set<String> classes, Map<String, Object> facts, Set<String> agents, String version,
                        Instant started, Instant lastSeen, Duration interval, boolean stopped) implements NodeView {
    public KnownHost {
        classes = Set.copyOf(classes);
        facts = Map.copyOf(facts);
        agents = Set.copyOf(agents);
    }

    /** "3 min ago", "12 s ago", "2 d ago": how long since {@link #lastSeen()}, for messages. */
    public String lastSeenAgo(Instant now) {
        return ago(Duration.between(lastSeen, now));
    }

    static String ago(Duration elapsed) {
        long s = Math.max(0, elapsed.toSeconds());
        if (s < 120) {
            return s + " s ago";
        }
        if (s < 2 * 3600) {
            return s / 60 + " min ago";
        }
        if (s < 2 * 86_400) {
            return s / 3600 + " h ago";
        }
        return s / 86_400 + " d ago";
    }
}
