package io.drover.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The fleet report of one run: every scenario's {@link ScenarioRecord}, written as {@value #JSON_FILE} (the stable format of
 * docs/report.md) and {@value #HTML_FILE} (one self-contained page: grid of hosts × steps, timelines, recap, search) each
 * time a scenario ends, so a run that stops half-way still leaves both. Thread-safe: scenarios running in parallel add
 * themselves one at a time, and each file is replaced whole (written aside, then moved), never seen half-written.
 */
public final class RunReport {
    public static final String JSON_FILE = "drover-run.json";
    public static final String HTML_FILE = "drover-report.html";

    /** What the run is: when it started, its broker (password masked), collective, and whether it is a dry run. */
    record RunInfo(Instant started, String broker, String collective, boolean dryRun) {
    }

    private final Path directory;
    private final RunInfo info;
    private final List<ScenarioRecord> scenarios = new ArrayList<>();

    /**
     * @param directory where the two files go, e.g. {@code target}
     * @param broker    the broker as shown to people, its password masked, or "sandbox"
     */
    public RunReport(Path directory, String broker, String collective, boolean dryRun) {
        this.directory = Objects.requireNonNull(directory);
        this.info = new RunInfo(Instant.now(), Objects.requireNonNull(broker), Objects.requireNonNull(collective), dryRun);
    }

    /** Adds a scenario that ended and writes both files again. */
    public synchronized void add(ScenarioRecord scenario) throws IOException {
        scenarios.add(Objects.requireNonNull(scenario));
        write();
    }

    public Path json() {
        return directory.resolve(JSON_FILE);
    }

    public Path html() {
        return directory.resolve(HTML_FILE);
    }

    /** Writes both files from the scenarios added so far. */
    public synchronized void write() throws IOException {
        String json = RunJson.MAPPER.writeValueAsString(RunJson.of(info, scenarios));
        Files.createDirectories(directory);
        replace(json(), json);
        replace(html(), ReportPage.render(json));
    }

    private static void replace(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
