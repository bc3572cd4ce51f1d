package io.drover.client;

import io.drover.filter.Filter;

import java.time.Duration;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The outcome of discovery: which nodes answered, how long it took and why it stopped.
 *
 * @param filter     the filter used
 * @param identities nodes that answered OK, sorted
 * @param refused    nodes that answered but refused (e.g. denied by their policy), with their message
 * @param elapsed    from publishing to the end of discovery
 * @param ended      why discovery stopped
 * @param quietWindow the quiet window in force when it stopped
 * @param firstReply  time from publishing to the first reply, or {@code null} when none came
 * @param lastReply   time from publishing to the last reply, or {@code null} when none came
 * @param largestGap  longest silence between two replies
 */
public record Discovery(Filter filter, SortedSet<String> identities, SortedMap<String, String> refused, Duration elapsed,
                        Ended ended, Duration quietWindow, Duration firstReply, Duration lastReply, Duration largestGap) {
    public Discovery {
        identities = Collections.unmodifiableSortedSet(new TreeSet<>(identities));
        refused = Collections.unmodifiableSortedMap(new TreeMap<>(refused));
    }

    /** Why discovery stopped listening. */
    public enum Ended {
        /** At least the expected number of nodes answered, then no reply for the quiet window. */
        EXPECTED_COUNT("the expected number of nodes answered, then no more within the quiet window"),
        /** No reply came for the quiet window after the latest one. */
        QUIET("no further reply within the quiet window"),
        /** The discovery timeout (the cap) passed. */
        TIMEOUT("the discovery timeout passed"),
        /** The broker had no node queue to deliver to: no agent is connected in this collective. */
        NO_ROUTE("no agent is connected to this collective");

        private final String description;

        Ended(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    public int size() {
        return identities.size();
    }
}
