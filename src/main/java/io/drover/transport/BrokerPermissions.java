package io.drover.transport;

import io.drover.protocol.Names;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The least-privilege RabbitMQ permissions of one broker user in one vhost: the configure, write and read regular
 * expressions of {@code rabbitmqctl set_permissions}, and the topic permissions ({@code set_topic_permissions}) on
 * each collective's broadcast exchange. See docs/security.md, "Broker permissions".
 *
 * <p>RabbitMQ expands {@code {username}} only in topic permissions, never in these resource patterns, so a node's
 * own queue is named literally: one entry per node user, whose name is the node's identity.
 *
 * @param user       the broker user
 * @param collectives the collectives these permissions cover
 * @param configure  what it may declare and delete
 * @param write      what it may publish to (exchanges) and bind (queues)
 * @param read       what it may consume (queues) and bind from (exchanges)
 * @param topicWrite routing keys it may publish to each broadcast exchange with
 * @param topicRead  binding keys it may bind a queue to each broadcast exchange with
 */
public record BrokerPermissions(String user, List<String> collectives, String configure, String write, String read,
                                String topicWrite, String topicRead) {
    /** Nothing at all: RabbitMQ's pattern that matches no resource name. */
    static final String NOTHING = "^$";
    /** Plain agent names, no {@code #} or {@code *}: a broadcast binding for one agent, never for every message. */
    static final String AGENT_KEYS = "^[a-z][a-z0-9_]*$";
    /**
     * Reply queues of runners: client-named ({@code drover-reply.<caller>.<uuid>}, surviving reconnection), and
     * server-named ({@code amq.gen-…}) for runners older than that.
     */
    static final String REPLY_QUEUES = "amq\\.gen-.*|drover-reply\\..*";
    /**
     * Deploy locks of hosts ({@link Topology#hostLock}), the holder records ({@link Topology#lockHolders}) and the
     * runs' marker queues ({@link Topology#lockRun}): runners declare them, consume the locks, and read the records.
     */
    static final String DEPLOY_LOCKS = "lock\\..+|lock-holders|lock-run\\..+";
    /**
     * A runner's registry view queues ({@link Topology#registryView}): binding one to the registry exchange takes write
     * on the queue (and read on the exchange, which runners have).
     */
    static final String REGISTRY_VIEWS = "drover-reply\\..+\\.registry";

    /**
     * A node user (its name is the node's identity): declares, binds and consumes its own queue; declares the
     * collective's exchanges and registry (agents declare them at start, as runners may not have run yet); binds
     * its queue to the broadcast exchange with agent names only; publishes replies (default exchange) and
     * registrations. It cannot consume or delete another node's queue, nor publish a request.
     */
    public static BrokerPermissions node(String identity, List<String> collectives) {
        if (!Names.isIdentity(identity)) {
            throw new IllegalArgumentException("'" + Names.printable(identity) + "' is not a node identity (letters, digits, . _ -)");
        }
        String own = "node\\." + literal(identity);
        return new BrokerPermissions(identity, checked(collectives),
                anchored(collectives, own + "|broadcast|directed|registry", null),
                anchored(collectives, own + "|registry", "amq\\.default"),
                anchored(collectives, own + "|broadcast|directed|registry", null),
                NOTHING, AGENT_KEYS);
    }

    /**
     * A runner user: declares the exchanges, the registry and its lock, its own reply queues, and the hosts' deploy
     * locks and their holder records; publishes requests (broadcast with agent names as routing keys, directed),
     * flush markers to its reply queue and holder records (default exchange) and registry compaction; consumes its
     * reply queue, the registry and (exclusively) the deploy locks, and reads holder records; binds its registry view
     * queue to the registry exchange (the only exchange it may read). It cannot consume, bind or delete a
     * node's queue, nor bind a queue to the request exchanges (so it cannot read requests).
     */
    public static BrokerPermissions runner(String user, List<String> collectives) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("'" + Names.printable(user) + "' is not a usable runner user name (letters, digits, . _ @ -; at most 64)");
        }
        return new BrokerPermissions(user, checked(collectives),
                "^(" + REPLY_QUEUES + "|" + names(collectives, "broadcast|directed|registry|registry\\.lock|" + DEPLOY_LOCKS) + ")$",
                anchored(collectives, "broadcast|directed|registry", "amq\\.default|" + REGISTRY_VIEWS),
                "^(" + REPLY_QUEUES + "|" + names(collectives, "registry|" + DEPLOY_LOCKS) + ")$",
                AGENT_KEYS, NOTHING);
    }

    private static final java.util.regex.Pattern USER = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    /** The {@code rabbitmqctl} arguments that apply these permissions in {@code vhost}; each replaces the previous entry. */
    public List<List<String>> rabbitmqctlArguments(String vhost) {
        List<List<String>> out = new java.util.ArrayList<>();
        out.add(List.of("set_permissions", "-p", vhost, user, configure, write, read));
        for (String collective : collectives) {
            out.add(List.of("set_topic_permissions", "-p", vhost, user, Topology.broadcastExchange(collective), topicWrite, topicRead));
        }
        return out;
    }

    private static List<String> checked(List<String> collectives) {
        if (collectives.isEmpty()) {
            throw new IllegalArgumentException("no collective given");
        }
        for (String collective : collectives) {
            if (collective == null || !Names.COLLECTIVE.matcher(collective).matches()) {
                throw new IllegalArgumentException("'" + Names.printable(collective) + "' is not a collective name (letters, digits, _ -)");
            }
        }
        return List.copyOf(collectives);
    }

    /** {@code ^(extra|drover\.C\.(suffixes)|…)$}. */
    private static String anchored(List<String> collectives, String suffixes, String extra) {
        return "^(" + (extra == null ? "" : extra + "|") + names(collectives, suffixes) + ")$";
    }

    private static String names(List<String> collectives, String suffixes) {
        return collectives.stream().map(c -> literal(Topology.PREFIX + c + ".") + "(" + suffixes + ")")
                .collect(Collectors.joining("|"));
    }

    /** A name as a regular expression matching only itself: every character but letters, digits, _ and - escaped. */
    static String literal(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (!Character.isLetterOrDigit(c) && c != '_' && c != '-') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
