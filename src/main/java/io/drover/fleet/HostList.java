package io.drover.fleet;

import io.drover.protocol.Names;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A flat file of the hosts a deploy must hear from, as MCollective's and Choria's flatfile discovery read it:
 * plain text, one identity per line; blank lines and lines starting with {@code #} are ignored.
 */
public final class HostList {
    static final long MAX_BYTES = 16L * 1024 * 1024;

    private HostList() {
    }

    /** Reads the file; a malformed line is an error naming the file, the line and what an identity looks like. */
    public static SortedSet<String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("Host list " + file + " does not exist (or is not a file); write one identity per line");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("Host list " + file + " is larger than " + MAX_BYTES / (1024 * 1024) + " MiB");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        SortedSet<String> hosts = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!Names.isIdentity(line)) {
                throw new IOException(file + " line " + (i + 1) + ": '" + Names.printable(line) + "' is not a host identity (letters, "
                        + "digits, '.', '_' and '-', one per line)");
            }
            hosts.add(line);
        }
        if (hosts.isEmpty()) {
            throw new IOException("Host list " + file + " names no host");
        }
        return hosts;
    }
}
