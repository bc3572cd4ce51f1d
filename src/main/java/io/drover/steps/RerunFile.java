package io.drover.steps;

import io.drover.runner.DroverSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.WeakHashMap;

/**
 * {@value #PATH}: the hosts that failed in this run, one identity per line, for the next run to retry them alone with
 * {@code -Ddrover.hosts=@target/drover-rerun.txt}. A run is a session ({@link DroverSession}): each scenario's end
 * adds its failed hosts to the run's and rewrites the file; a run none of whose hosts failed (so far) removes it, so
 * a stale list never narrows a later run.
 */
final class RerunFile {
    static final String PATH = "target/drover-rerun.txt";
    private static final Map<DroverSession, SortedSet<String>> FAILED_BY_RUN = new WeakHashMap<>();

    private RerunFile() {
    }

    /** Adds {@code failed} to this run's failed hosts and rewrites the file; returns the file, or null if removed. */
    static Path record(DroverSession run, Collection<String> failed) throws IOException {
        SortedSet<String> all;
        synchronized (FAILED_BY_RUN) {
            all = FAILED_BY_RUN.computeIfAbsent(run, r -> new TreeSet<>());
            all.addAll(failed);
            all = new TreeSet<>(all);
            // Written under the lock: scenarios running in parallel must not interleave their writes.
            Path file = Path.of(PATH);
            if (all.isEmpty()) {
                Files.deleteIfExists(file);
                return null;
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            StringBuilder text = new StringBuilder("# Hosts that failed in the last run; rerun them with -Ddrover.hosts=@" + PATH + "\n");
            all.forEach(host -> text.append(host).append('\n'));
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        }
    }
}
