package io.drover.steps;

import io.drover.report.RunReport;
import io.drover.report.ScenarioRecord;
import io.drover.runner.DroverSession;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The fleet report of each run, {@code target/drover-report.html} and {@code target/drover-run.json}: a run is a session
 * ({@link DroverSession}), as for {@link RerunFile}; each scenario's end adds its record and rewrites both files, so
 * scenarios running in parallel end up in one report, and a run that stops half-way still has one.
 */
final class ReportFiles {
    static final Path DIRECTORY = Path.of("target");
    private static final Map<DroverSession, RunReport> BY_RUN = new WeakHashMap<>();

    private ReportFiles() {
    }

    /** The report of {@code run}, begun by its first scenario's start. */
    static RunReport of(DroverSession run) {
        synchronized (BY_RUN) {
            return BY_RUN.computeIfAbsent(run, r -> new RunReport(DIRECTORY, r.sandbox().isPresent() ? "sandbox (" + r.client().broker()
                    + ")" : r.client().broker(), r.client().options().collective(), r.config().dryRun()));
        }
    }

    /** Adds {@code scenario} to its run's report and writes it; returns the report. */
    static RunReport record(DroverSession run, ScenarioRecord scenario) throws IOException {
        RunReport report = of(run);
        report.add(scenario);
        return report;
    }

    /** A feature as an operator names it: relative to the working directory when it is a file under it. */
    static String featureName(URI uri) {
        if (!"file".equals(uri.getScheme())) {
            return uri.toString();
        }
        Path file = Path.of(uri).toAbsolutePath().normalize();
        Path here = Path.of("").toAbsolutePath();
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }
}
