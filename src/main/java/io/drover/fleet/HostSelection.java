package io.drover.fleet;

import io.drover.protocol.Names;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The hosts a run is narrowed to ({@code drover.hosts}): a comma-separated list of identities, or {@code @FILE}
 * naming a {@link HostList} such as the {@code target/drover-rerun.txt} a run with failed hosts writes. Discovery
 * still applies the feature's filters; of the hosts that match, only these take part, and each of them must answer.
 *
 * @param hosts  the identities, empty for "no narrowing"
 * @param source where they came from, for messages, e.g. "drover.hosts=@target/drover-rerun.txt"
 */
public record HostSelection(SortedSet<String> hosts, String source) {
    /** Longest comma-separated list read, in characters; longer lists belong in a file. */
    static final int MAX_LIST = 64 * 1024;

    public HostSelection {
        hosts = Collections.unmodifiableSortedSet(new TreeSet<>(hosts));
    }

    /** No narrowing: every host the filters match takes part. */
    public static HostSelection all() {
        return new HostSelection(new TreeSet<>(), "");
    }

    /** Whether the run is narrowed to {@link #hosts()}. */
    public boolean narrowed() {
        return !hosts.isEmpty();
    }

    /**
     * Reads {@code value} of the setting {@code name}: {@code @path/to/file} or {@code host1,host2}. A malformed
     * identity, an unreadable file or an empty list is an error naming the setting and what it must be.
     */
    public static HostSelection parse(String name, String value) {
        String text = value.strip();
        // Shortened for messages: a long list is named by its start.
        String source = name + "=" + Names.printable(text);
        if (text.startsWith("@")) {
            Path file = Path.of(text.substring(1).strip());
            try {
                return new HostSelection(HostList.read(file), source);
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage() + " (a run with failed hosts writes "
                        + "target/drover-rerun.txt; none was written if it had none)", e);
            }
        }
        if (text.length() > MAX_LIST) {
            throw new IllegalArgumentException(name + " lists more than " + MAX_LIST + " characters of hosts; write them to a file, "
                    + "one per line, and set " + name + "=@FILE");
        }
        SortedSet<String> hosts = new TreeSet<>();
        for (String part : text.split(",", -1)) {
            String host = part.strip();
            if (host.isEmpty()) {
                continue;
            }
            if (!Names.isIdentity(host)) {
                throw new IllegalArgumentException(name + ": '" + Names.printable(host) + "' is not a host identity; give identities "
                        + "separated by commas (letters, digits, '.', '_' and '-'), or @FILE with one per line");
            }
            hosts.add(host);
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException(name + " names no host; give identities separated by commas, or @FILE");
        }
        return new HostSelection(hosts, source);
    }
}
