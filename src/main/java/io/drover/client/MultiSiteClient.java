package io.drover.client;

import io.drover.catalog.Catalogs;
import io.drover.error.BrokerUnreachableException;
import io.drover.error.DroverException;
import io.drover.error.OperationInterruptedException;
import io.drover.filter.Filter;
import io.drover.protocol.Reply;
import io.drover.transport.BrokerConnector;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One client over several sites, each its own broker (or cluster) with its own agents and fleet registry: a
 * discovery asks every site at once and merges what they said; a directed call goes to the site each host
 * answered discovery on (to every site for a host none has seen), and the results are merged per host. Each site
 * is an {@link AmqpDroverClient} of its own, so requests are signed per site and every reply is verified as it is
 * with one broker; nothing is relayed between brokers. Whatever a site does not deliver is named with the site:
 * "no reply within 30 s (site fr)", "site fr: Connection refused" in the broker line.
 */
final class MultiSiteClient implements DroverClient {
    /** Request ids of the other sites' requests kept to map their late replies to the merged call's id. */
    private static final int REMEMBERED_REQUESTS = 4_096;

    private final Map<String, DroverClient> sites;
    private final ClientOptions options;
    private final ExecutorService workers;
    /** The site each host last answered on. Bounded by the fleets' size, which discovery already holds in memory. */
    private final Map<String, String> siteOf = new ConcurrentHashMap<>();
    /** A site's request id to the id the merged result reports, so late replies are matched to the step that gave up. */
    private final Map<String, String> mergedIds = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_REQUESTS;
        }
    });

    private MultiSiteClient(Map<String, DroverClient> sites, ClientOptions options) {
        this.sites = sites;
        this.options = options;
        this.workers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "drover site call");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to every site, in order; when one cannot be reached, the ones already open are closed and the failure
     * names the site.
     */
    static MultiSiteClient connect(Map<String, BrokerConnector> brokers, ClientOptions options) throws IOException, TimeoutException {
        if (brokers.size() < 2) {
            throw new IllegalArgumentException("Several sites need at least two, got " + brokers.keySet()
                    + "; for one broker (or one cluster) give drover.broker instead");
        }
        Map<String, DroverClient> open = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, BrokerConnector> site : brokers.entrySet()) {
                try {
                    open.put(site.getKey(), AmqpDroverClient.connect(site.getValue(), options));
                } catch (DroverException e) {
                    throw new BrokerUnreachableException("Site " + site.getKey() + ": " + e.getMessage(), e);
                }
            }
        } catch (RuntimeException | IOException | TimeoutException e) {
            open.values().forEach(DroverClient::close);
            throw e;
        }
        return new MultiSiteClient(open, options);
    }

    @Override
    public Discovery discover(Filter filter, DiscoveryOptions discoveryOptions) {
        // An expected count is the whole fleet's, never one site's: each site stops on its registry or quiet window.
        DiscoveryOptions perSite = new DiscoveryOptions(OptionalInt.empty(), discoveryOptions.timeout(),
                discoveryOptions.expectedHosts(), discoveryOptions.hostsSource());
        Map<String, Discovery> found = onEverySite(sites.keySet(), client -> client.discover(filter, perSite));
        return merge(filter, found, discoveryOptions.expectedHosts() != null);
    }

    private Discovery merge(Filter filter, Map<String, Discovery> found, boolean hostList) {
        SortedMap<String, String> answeredOn = new TreeMap<>();
        SortedMap<String, String> refused = new TreeMap<>();
        SortedMap<String, String> missing = new TreeMap<>();
        SortedSet<String> unknown = new TreeSet<>();
        SortedSet<String> twice = new TreeSet<>();
        Discovery slowest = null;
        Duration first = null;
        Duration last = null;
        Duration gap = Duration.ZERO;
        Duration window = Duration.ZERO;
        for (Map.Entry<String, Discovery> entry : found.entrySet()) {
            String site = entry.getKey();
            Discovery discovery = entry.getValue();
            for (String host : discovery.identities()) {
                String other = answeredOn.putIfAbsent(host, site);
                if (other != null) {
                    twice.add(host);
                    refused.put(host, "answered discovery on sites " + other + " and " + site
                            + ": an identity must live on one site; stop or rename one of the two agents");
                }
            }
            discovery.refused().forEach((host, why) -> refused.merge(host, why + " (site " + site + ")", (a, b) -> a + "; " + b));
            if (!hostList) {
                discovery.missing().forEach((host, why) -> missing.put(host, why + " (site " + site + ")"));
            }
            unknown.addAll(discovery.unknown());
            if (slowest == null || discovery.elapsed().compareTo(slowest.elapsed()) > 0) {
                slowest = discovery;
            }
            first = min(first, discovery.firstReply());
            last = max(last, discovery.lastReply());
            gap = max(gap, discovery.largestGap());
            window = max(window, discovery.quietWindow());
        }
        answeredOn.forEach(siteOf::put);
        twice.forEach(answeredOn::remove);
        if (hostList) {
            // Every site was given the whole list; a host is missing only when no site heard it.
            for (Map.Entry<String, Discovery> entry : found.entrySet()) {
                entry.getValue().missing().forEach((host, why) -> {
                    if (!answeredOn.containsKey(host) && !refused.containsKey(host)) {
                        missing.merge(host, why + " (site " + entry.getKey() + ")", (a, b) -> a + "; " + b);
                    }
                });
            }
            unknown.removeAll(missing.keySet());
        }
        boolean noRoute = found.values().stream().allMatch(d -> d.ended() == Discovery.Ended.NO_ROUTE);
        Discovery.Ended ended = noRoute ? Discovery.Ended.NO_ROUTE : slowest.ended();
        List<String> sources = found.values().stream().map(Discovery::expectedFrom).filter(java.util.Objects::nonNull).distinct().toList();
        String expectedFrom = sources.isEmpty() ? null : String.join(", ", sources) + " of sites " + String.join(", ", found.keySet());
        return new Discovery(filter, new TreeSet<>(answeredOn.keySet()), refused, slowest.elapsed(), ended, window, first, last, gap,
                expectedFrom, missing, unknown);
    }

    @Override
    public CallResult call(Call call) {
        // Refused once here with the node's own words, not once per site.
        Catalogs.validate(call.agent(), call.action(), call.params());
        Map<String, SortedSet<String>> targets = new LinkedHashMap<>();
        if (call.targets() != null) {
            for (String host : call.targets()) {
                String site = siteOf.get(host);
                // A host no discovery has seen goes to every site: the ones without it return it as not connected.
                for (String to : site != null ? List.of(site) : List.copyOf(sites.keySet())) {
                    targets.computeIfAbsent(to, s -> new TreeSet<>()).add(host);
                }
            }
        } else {
            sites.keySet().forEach(site -> targets.put(site, null));
        }
        Map<String, CallResult> results = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        Map<String, Future<CallResult>> running = new LinkedHashMap<>();
        targets.forEach((site, hosts) -> running.put(site, workers.submit(() -> sites.get(site).call(hosts == null ? call : call.to(hosts)))));
        running.forEach((site, future) -> {
            try {
                results.put(site, await(future));
            } catch (DroverException | java.io.UncheckedIOException e) {
                // One site that cannot be reached must not hide what the others answered: its hosts are named.
                failed.put(site, e.getMessage());
            }
        });
        return merge(call, targets, results, failed);
    }

    private CallResult merge(Call call, Map<String, SortedSet<String>> targets, Map<String, CallResult> results, Map<String, String> failed) {
        SortedSet<String> expected = new TreeSet<>();
        SortedMap<String, Reply> replies = new TreeMap<>();
        SortedMap<String, String> missing = new TreeMap<>();
        SortedMap<String, Reply> unexpected = new TreeMap<>();
        List<ConnectionEvent> events = new ArrayList<>();
        int duplicates = 0;
        int afterRecovery = 0;
        Duration elapsed = Duration.ZERO;
        String requestId = null;
        for (Map.Entry<String, CallResult> entry : results.entrySet()) {
            String site = entry.getKey();
            CallResult result = entry.getValue();
            if (requestId == null) {
                requestId = result.requestId();
            }
            mergedIds.put(result.requestId(), requestId);
            expected.addAll(result.expected());
            for (Map.Entry<String, Reply> reply : result.replies().entrySet()) {
                if (replies.putIfAbsent(reply.getKey(), reply.getValue()) != null) {
                    duplicates++;
                }
                siteOf.put(reply.getKey(), site);
            }
            unexpected.putAll(result.unexpected());
            result.missing().forEach((host, why) -> missing.merge(host, why + " (site " + site + ")", (a, b) -> a + "; " + b));
            for (ConnectionEvent event : result.connectionEvents()) {
                events.add(new ConnectionEvent(event.kind(), event.at(), "site " + site + (event.detail().isBlank() ? "" : ": " + event.detail())));
            }
            duplicates += result.duplicates();
            afterRecovery += result.repliesAfterRecovery();
            elapsed = max(elapsed, result.elapsed());
        }
        failed.forEach((site, why) -> {
            SortedSet<String> hosts = targets.get(site);
            if (hosts != null) {
                expected.addAll(hosts);
                hosts.forEach(host -> missing.merge(host, "not sent: site " + site + ": " + why, (a, b) -> a + "; " + b));
            } else {
                // A broadcast that could not go out: nobody is known to be missing, so the result must not look complete.
                missing.put("(site " + site + ")", "broadcast not sent: " + why);
            }
        });
        // A host one site answered for is not missing because another site (asked as well, not knowing it) lacked it.
        missing.keySet().removeAll(replies.keySet());
        if (call.targets() == null) {
            expected.addAll(replies.keySet());
        }
        events.sort(Comparator.comparing(ConnectionEvent::at));
        return new CallResult(requestId != null ? requestId : "none", call.agent(), call.action(), expected, replies, missing, unexpected,
                duplicates, elapsed, events, afterRecovery);
    }

    /** Runs {@code work} on each site at once; a site that fails fails the whole, naming it. */
    private <T> Map<String, T> onEverySite(java.util.Collection<String> names, Function<DroverClient, T> work) {
        Map<String, Future<T>> running = new LinkedHashMap<>();
        for (String site : names) {
            running.put(site, workers.submit(() -> work.apply(sites.get(site))));
        }
        Map<String, T> done = new LinkedHashMap<>();
        for (Map.Entry<String, Future<T>> entry : running.entrySet()) {
            try {
                done.put(entry.getKey(), await(entry.getValue()));
            } catch (DroverException e) {
                running.values().forEach(f -> f.cancel(true));
                throw new BrokerUnreachableException("Site " + entry.getKey() + ": " + e.getMessage(), e);
            }
        }
        return done;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationInterruptedException("Interrupted while waiting for the sites", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    @Override
    public long lateReplies() {
        return sites.values().stream().mapToLong(DroverClient::lateReplies).sum();
    }

    @Override
    public List<LateReply> lateReplyRecords() {
        List<LateReply> all = new ArrayList<>();
        for (DroverClient site : sites.values()) {
            for (LateReply late : site.lateReplyRecords()) {
                String id = mergedIds.getOrDefault(late.requestId(), late.requestId());
                all.add(id.equals(late.requestId()) ? late : new LateReply(id, late.action(), late.reply(), late.at()));
            }
        }
        return all;
    }

    /** Every site, as {@code de=amqp://...,fr=amqp://...} with passwords masked. */
    @Override
    public String broker() {
        StringBuilder out = new StringBuilder();
        sites.forEach((site, client) -> out.append(out.length() > 0 ? ";" : "").append(site).append('=').append(client.broker()));
        return out.toString();
    }

    /**
     * The first site's broker: deploy locks are taken there, so runners that list the same first site exclude each
     * other (docs/sites.md says what that does not cover).
     */
    @Override
    public BrokerConnector connector() {
        return sites.values().iterator().next().connector();
    }

    /**
     * Each host on the broker of the site it answered discovery on; a host no discovery has seen on every site, as a
     * call to it goes to every site.
     */
    @Override
    public List<Map.Entry<BrokerConnector, SortedSet<String>>> lockPlaces(SortedSet<String> hosts) {
        Map<String, SortedSet<String>> bySite = new LinkedHashMap<>();
        sites.keySet().forEach(site -> bySite.put(site, new TreeSet<>()));
        for (String host : hosts) {
            String site = siteOf.get(host);
            if (site != null) {
                bySite.get(site).add(host);
            } else {
                bySite.values().forEach(onSite -> onSite.add(host));
            }
        }
        List<Map.Entry<BrokerConnector, SortedSet<String>>> places = new ArrayList<>();
        bySite.forEach((site, onSite) -> {
            if (!onSite.isEmpty()) {
                places.add(Map.entry(sites.get(site).connector(), onSite));
            }
        });
        return places;
    }

    @Override
    public void close() {
        try {
            sites.values().forEach(DroverClient::close);
        } finally {
            workers.shutdownNow();
        }
    }
}
