package io.drover.fleet;

import io.drover.protocol.Registration;
import io.drover.protocol.Registration.Kind;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the registrations read from the registry queue into the fleet they describe, and into the few messages
 * that must stay in the queue for the next reader: per node, its latest inventory and its latest word (a
 * heartbeat or goodbye); per forgotten node, the tombstone. Order between two messages of one node is their
 * {@code sent} time by that node's own clock, so a node's skewed clock never reorders its own history; a
 * {@code forget} names the latest registration it retires in the same clock. Pure: no broker, no clock of its own.
 */
final class RegistryCompaction {
    /** A decoded registration and the exact bytes it came in, kept so a node's message is republished untouched. */
    public record Entry(Registration registration, byte[] body) {
    }

    /**
     * The outcome of one compaction.
     *
     * @param fleet   the fleet the registrations describe
     * @param keep    the messages to leave in the queue, oldest first
     * @param dropped how many of the messages read are superseded, retired or forgotten
     */
    public record Result(Fleet fleet, List<Entry> keep, int dropped) {
    }

    private RegistryCompaction() {
    }

    /**
     * @param entries     registrations in the order read
     * @param now         the reader's clock
     * @param retireAfter nodes silent longer than this are retired (and listed in {@link Fleet#retired()})
     */
    public static Result compact(List<Entry> entries, Instant now, Duration retireAfter) {
        Map<String, Node> nodes = new HashMap<>();
        for (Entry entry : entries) {
            nodes.computeIfAbsent(entry.registration().identity(), Node::new).add(entry);
        }
        long cutoff = now.minus(retireAfter).toEpochMilli();
        TreeMap<String, KnownHost> hosts = new TreeMap<>();
        List<String> retired = new ArrayList<>();
        // Distinct objects already (one node's messages are its own), except that a node's inventory may be its latest
        // word too; no hashing: a record's hashCode hashes every registration's facts, most of a compaction's time at
        // 1,000 nodes (profiled).
        List<Entry> kept = new ArrayList<>();
        for (Node node : nodes.values()) {
            Entry latest = node.latest;
            Entry forget = node.forget;
            boolean forgotten = forget != null && (latest == null || latest.registration().sent() <= forget.registration().until());
            if (forgotten) {
                // The tombstone outlives the node's older messages (a crashed reader may put them back) until it retires too.
                if (forget.registration().sent() >= cutoff) {
                    kept.add(forget);
                }
                continue;
            }
            if (latest == null) {
                continue;
            }
            if (latest.registration().sent() < cutoff) {
                retired.add(node.identity + " (last seen " + KnownHost.ago(Duration.ofMillis(now.toEpochMilli()
                        - latest.registration().sent())) + ")");
                continue;
            }
            if (node.inventory != null && node.inventory != latest) {
                kept.add(node.inventory);
            }
            kept.add(latest);
            if (forget != null && forget.registration().sent() >= cutoff) {
                kept.add(forget);
            }
            if (node.inventory != null) {
                hosts.put(node.identity, host(node.inventory.registration(), latest.registration()));
            }
        }
        kept.sort((a, b) -> Long.compare(a.registration().sent(), b.registration().sent()));
        retired.sort(null);
        return new Result(new Fleet(hosts, retired, now), kept, entries.size() - kept.size());
    }

    private static KnownHost host(Registration inventory, Registration latest) {
        return new KnownHost(inventory.identity(), new java.util.TreeSet<>(inventory.classes()), inventory.facts(),
                new java.util.TreeSet<>(inventory.agents()), inventory.version(), Instant.ofEpochMilli(inventory.started()),
                Instant.ofEpochMilli(latest.sent()), Duration.ofSeconds(latest.interval()), latest.type() == Kind.GOODBYE);
    }

    /** The latest messages of one node seen so far. */
    private static final class Node {
        final String identity;
        Entry latest;
        Entry inventory;
        Entry forget;

        Node(String identity) {
            this.identity = identity;
        }

        void add(Entry entry) {
            Registration r = entry.registration();
            Kind kind = r.type();
            if (kind == Kind.FORGET) {
                if (forget == null || r.sent() >= forget.registration().sent()) {
                    forget = entry;
                }
                return;
            }
            if (latest == null || r.sent() >= latest.registration().sent()) {
                latest = entry;
            }
            if (kind.carriesInventory() && (inventory == null || r.sent() >= inventory.registration().sent())) {
                inventory = entry;
            }
        }
    }
}
