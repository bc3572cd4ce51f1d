package io.drover.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PublicKey;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A directory of trusted public keys, {@code NAME.pub} each: callers an agent obeys, or nodes a runner
 * believes. Re-read when the directory changes (checked at most once a second), so adding or revoking a
 * key needs no restart.
 */
public final class TrustedKeys {
    private static final Logger LOG = LoggerFactory.getLogger(TrustedKeys.class);
    private static final long RECHECK_NANOS = 1_000_000_000L;

    private final Path dir;
    private volatile Map<String, PublicKey> keys = Map.of();
    private volatile FileTime loadedAt;
    private volatile long checkedAt;

    private TrustedKeys(Path dir) {
        this.dir = dir;
    }

    /** Loads a directory; a missing or unreadable directory is an error, an empty one trusts nobody. */
    public static TrustedKeys load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("Trusted key directory " + dir + " does not exist");
        }
        TrustedKeys trusted = new TrustedKeys(dir);
        trusted.reload();
        return trusted;
    }

    /** Keys held in memory only, e.g. the sandbox's throwaway caller key. */
    public static TrustedKeys of(Map<String, PublicKey> keys) {
        TrustedKeys trusted = new TrustedKeys(null);
        trusted.keys = Map.copyOf(keys);
        return trusted;
    }

    public Optional<PublicKey> find(String name) {
        refreshIfChanged();
        return Optional.ofNullable(keys.get(name));
    }

    public java.util.Set<String> names() {
        refreshIfChanged();
        return keys.keySet();
    }

    public String describe() {
        return dir == null ? keys.size() + " keys in memory" : dir + " (" + keys.size() + " keys)";
    }

    private void refreshIfChanged() {
        if (dir == null || System.nanoTime() - checkedAt < RECHECK_NANOS) {
            return;
        }
        checkedAt = System.nanoTime();
        try {
            if (!Files.getLastModifiedTime(dir).equals(loadedAt)) {
                reload();
            }
        } catch (IOException e) {
            LOG.warn("Cannot re-read trusted keys in {}: {}; keeping the {} loaded before", dir, e.getMessage(), keys.size());
        }
    }

    private synchronized void reload() throws IOException {
        FileTime modified = Files.getLastModifiedTime(dir);
        Map<String, PublicKey> loaded = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pub")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                name = name.substring(0, name.length() - ".pub".length());
                if (!KeyNames.isKeyName(name)) {
                    LOG.warn("Ignoring {}: not a valid key name", file);
                    continue;
                }
                try {
                    loaded.put(name, KeyFiles.readPublic(file));
                } catch (IOException e) {
                    LOG.warn("Ignoring {}: {}", file, e.getMessage());
                }
            }
        }
        keys = Collections.unmodifiableMap(loaded);
        loadedAt = modified;
        LOG.info("Trusting {} keys from {}: {}", loaded.size(), dir, loaded.keySet());
    }
}
