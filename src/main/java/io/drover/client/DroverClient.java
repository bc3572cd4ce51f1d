package io.drover.client;

import io.drover.filter.Filter;
import io.drover.transport.BrokerConnector;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Talks to the nodes of one collective: discovers them with a filter and calls their agents' actions,
 * accounting for every expected reply. Thread-safe; one client can run many calls at once.
 */
public interface DroverClient extends AutoCloseable {
    /** Connects to the broker; the connection recovers by itself if the broker restarts. */
    static DroverClient connect(BrokerConnector broker, ClientOptions options) throws IOException, TimeoutException {
        return AmqpDroverClient.connect(broker, options);
    }

    /**
     * Connects to several sites, each a broker (or cluster) of its own with its own agents, in the order given: one
     * deploy discovers on all of them and sends each host's requests to the site it answered on. See docs/sites.md.
     *
     * @param sites broker of each site, by site name, at least two
     */
    static DroverClient connect(java.util.Map<String, BrokerConnector> sites, ClientOptions options) throws IOException, TimeoutException {
        return MultiSiteClient.connect(sites, options);
    }

    /** Discovers the nodes matching {@code filter}; stops as soon as the quiet window allows. */
    default Discovery discover(Filter filter) {
        return discover(filter, DiscoveryOptions.defaults());
    }

    Discovery discover(Filter filter, DiscoveryOptions options);

    /**
     * Runs a call and waits for every expected reply or the timeout. A call of a built-in agent is first checked
     * against its catalog: an unknown action or bad input throws {@link io.drover.catalog.InvalidInputException}
     * with the message the node would have replied, and nothing is sent.
     */
    CallResult call(Call call);

    ClientOptions options();

    /** Replies that arrived for requests no longer waited for (answers after a timeout), since connecting. */
    long lateReplies();

    /**
     * The late replies that answered a recent call (the last 1,000 calls with missing hosts, at most 10 minutes
     * old) for a host it gave up on, oldest first; the most recent 1,000 are kept.
     */
    List<LateReply> lateReplyRecords();

    /** The broker, with its password masked. */
    String broker();

    /** Opens further connections to the client's broker, e.g. for a deploy lock. */
    BrokerConnector connector();

    /**
     * Where each of {@code hosts} keeps its deploy lock: the broker of its site, so that a run over several sites and a
     * run on one of them lock a host in the same place. One broker: all of them on {@link #connector()}.
     *
     * @return the hosts by broker, in a fixed order (the sites' order), so concurrent runs take their locks alike
     */
    default java.util.List<java.util.Map.Entry<BrokerConnector, java.util.SortedSet<String>>> lockPlaces(java.util.SortedSet<String> hosts) {
        return java.util.List.of(java.util.Map.entry(connector(), hosts));
    }

    @Override
    void close();
}
