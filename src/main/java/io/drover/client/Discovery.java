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
 * @param expectedFrom where the hosts that had to answer came from ("the fleet registry", a host list file), or
 *                     {@code null} when nothing said which hosts should answer (only the broadcast counted)
 * @param missing     hosts that had to answer and did not, with why they were expected and what is known of them
 * @param unknown     hosts that answered but were not expected by {@code expectedFrom} (never registered, not listed)
 * @param facts       the facts the fleet registry last knew of each registered host that matched (for the fleet report's
 *                    search by fact); empty without a registry
 */
public record Discovery(Filter filter, SortedSet<String> identities, SortedMap<String, String> refused, Duration elapsed,
                        Ended ended, Duration quietWindow, Duration firstReply, Duration lastReply, Duration largestGap,
                        String expectedFrom, SortedMap<String, String> missing, SortedSet<String> unknown,
                        SortedMap<String, java.util.Map<String, Object>> facts) {
    public Discovery {
        facts = Collections.unmodifiableSortedMap(new TreeMap<>(facts));
        identities = Collections.unmodifiableSortedSet(new TreeSet<>(identities));
        refused = Collections.unmodifiableSortedMap(new TreeMap<>(refused));
        missing = Collections.unmodifiableSortedMap(new TreeMap<>(missing));
        unknown = Collections.unmodifiableSortedSet(new TreeSet<>(unknown));
    }

    /** A discovery without the registry's facts. */
    public Discovery(Filter filter, SortedSet<String> identities, SortedMap<String, String> refused, Duration elapsed,
                     Ended ended, Duration quietWindow, Duration firstReply, Duration lastReply, Duration largestGap,
                     String expectedFrom, SortedMap<String, String> missing, SortedSet<String> unknown) {
        this(filter, identities, refused, elapsed, ended, quietWindow, firstReply, lastReply, largestGap, expectedFrom, missing,
                unknown, new TreeMap<>());
    }

    /** True when every host that had to answer did, OK, and no host refused. */
    public boolean complete() {
        return missing.isEmpty() && refused.isEmpty();
    }

    /** Why discovery stopped listening. */
    public enum Ended {
        /** Every host the registry (or the host list) expected answered. */
        ALL_EXPECTED("every expected host answered"),
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
