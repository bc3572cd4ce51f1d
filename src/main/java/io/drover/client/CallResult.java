package io.drover.client;

import io.drover.protocol.Reply;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every answer to one call, by host: replies from expected hosts, expected hosts that never answered (and
 * why), and hosts that answered without being asked.
 *
 * @param requestId  the request's id
 * @param agent      agent called
 * @param action     action called
 * @param expected   hosts expected to answer (for a broadcast: those that did)
 * @param replies    replies of expected hosts, by host
 * @param missing    expected hosts without a reply, with the reason
 * @param unexpected replies of hosts that were not expected
 * @param duplicates extra replies from hosts that had already answered, ignored
 * @param elapsed    from publishing to the last reply or the timeout
 */
public record CallResult(String requestId, String agent, String action, SortedSet<String> expected,
                         SortedMap<String, Reply> replies, SortedMap<String, String> missing,
                         SortedMap<String, Reply> unexpected, int duplicates, Duration elapsed) {
    public CallResult {
        expected = Collections.unmodifiableSortedSet(new TreeSet<>(expected));
        replies = Collections.unmodifiableSortedMap(new TreeMap<>(replies));
        missing = Collections.unmodifiableSortedMap(new TreeMap<>(missing));
        unexpected = Collections.unmodifiableSortedMap(new TreeMap<>(unexpected));
    }

    /** True when every expected host answered OK and nobody else answered. */
    public boolean allOk() {
        return missing.isEmpty() && unexpected.isEmpty() && replies.values().stream().allMatch(Reply::isOk);
    }

    /** Replies that were not OK, by host. */
    public Map<String, Reply> failures() {
        Map<String, Reply> failed = new LinkedHashMap<>();
        replies.forEach((host, reply) -> {
            if (!reply.isOk()) {
                failed.put(host, reply);
            }
        });
        return failed;
    }

    /** Hosts whose reply was OK and reported {@code changed=true}. */
    public SortedSet<String> changed() {
        SortedSet<String> changed = new TreeSet<>();
        replies.forEach((host, reply) -> {
            if (reply.isOk() && reply.changed()) {
                changed.add(host);
            }
        });
        return changed;
    }

    public String qualifiedAction() {
        return agent + "." + action;
    }
}
