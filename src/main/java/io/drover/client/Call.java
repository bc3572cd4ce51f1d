package io.drover.client;

import io.drover.filter.Filter;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One RPC call: an action of an agent, with params, sent either directed to a set of nodes (each gets its
 * own message, and the call completes when all of them answered) or broadcast with a filter.
 */
public final class Call {
    private final String agent;
    private final String action;
    private final Map<String, Object> params;
    private final SortedSet<String> targets;
    private final Filter filter;
    private final Duration timeout;
    private final ProgressListener progress;

    private Call(String agent, String action, Map<String, Object> params, SortedSet<String> targets, Filter filter,
                 Duration timeout, ProgressListener progress) {
        this.agent = Objects.requireNonNull(agent, "agent");
        this.action = Objects.requireNonNull(action, "action");
        this.params = params;
        this.targets = targets;
        this.filter = filter;
        this.timeout = timeout;
        this.progress = progress;
    }

    /** A call of {@code agent.action} with no params, not yet addressed. */
    public static Call of(String agent, String action) {
        return new Call(agent, action, Map.of(), null, null, null, ProgressListener.NONE);
    }

    public Call param(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(params);
        copy.put(name, value);
        return new Call(agent, action, Collections.unmodifiableMap(copy), targets, filter, timeout, progress);
    }

    /** Directed to exactly these nodes; every one of them is expected to answer. */
    public Call to(Collection<String> identities) {
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("A directed call needs at least one target");
        }
        return new Call(agent, action, params, Collections.unmodifiableSortedSet(new TreeSet<>(identities)), null, timeout, progress);
    }

    /** Broadcast to every node matching {@code filter}; waits the whole timeout, as the set is unknown. */
    public Call broadcast(Filter filter) {
        return new Call(agent, action, params, null, Objects.requireNonNull(filter, "filter"), timeout, progress);
    }

    public Call timeout(Duration value) {
        return new Call(agent, action, params, targets, filter, value, progress);
    }

    public Call onProgress(ProgressListener listener) {
        return new Call(agent, action, params, targets, filter, timeout, Objects.requireNonNull(listener));
    }

    public String agent() {
        return agent;
    }

    public String action() {
        return action;
    }

    public Map<String, Object> params() {
        return params;
    }

    /** Targets of a directed call, or {@code null} for a broadcast. */
    public SortedSet<String> targets() {
        return targets;
    }

    /** Filter of a broadcast, or {@code null} for a directed call. */
    public Filter filter() {
        return filter;
    }

    /** The call's own timeout, or {@code null} for the client default. */
    public Duration timeout() {
        return timeout;
    }

    public ProgressListener progress() {
        return progress;
    }

    public String qualifiedAction() {
        return agent + "." + action;
    }
}
