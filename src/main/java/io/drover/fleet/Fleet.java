package io.drover.fleet;

import io.drover.filter.Filter;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fleet as the registry knows it at one moment: every node that registered and was neither forgotten nor
 * retired, by identity.
 *
 * @param hosts   known nodes by identity
 * @param retired nodes retired by this read (absent longer than the retirement age), with when they were last seen
 * @param readAt  when the registry was read, by the reader's clock
 */
public record Fleet(SortedMap<String, KnownHost> hosts, List<String> retired, Instant readAt) {
    public Fleet {
        hosts = Collections.unmodifiableSortedMap(new TreeMap<>(hosts));
        retired = List.copyOf(retired);
    }

    public static Fleet empty(Instant readAt) {
        return new Fleet(new TreeMap<>(), List.of(), readAt);
    }

    /** The known nodes that match {@code filter}, judged by what they last registered. */
    public SortedMap<String, KnownHost> matching(Filter filter) {
        SortedMap<String, KnownHost> out = new TreeMap<>();
        hosts.forEach((identity, host) -> {
            if (filter.matches(host)) {
                out.put(identity, host);
            }
        });
        return out;
    }

    public boolean isEmpty() {
        return hosts.isEmpty();
    }

    public int size() {
        return hosts.size();
    }
}
