package io.drover.agents.nrpe;

import io.drover.catalog.CheckState;
import io.drover.catalog.NrpeCatalog;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one Nagios check.
 *
 * @param command  check name, e.g. {@code check_load}
 * @param exitCode plugin exit code
 * @param output   text before the first {@code |}, plus any long output lines
 * @param perfdata performance data after the {@code |}, or empty
 */
record CheckResult(String command, int exitCode, String output, String perfdata) {
    public CheckState state() {
        return CheckState.ofExitCode(exitCode);
    }

    /** Splits plugin output {@code TEXT|PERFDATA} (first line) and long output (further lines). */
    public static CheckResult parse(String command, int exitCode, String raw) {
        String text = raw == null ? "" : raw.strip();
        String first = text;
        String rest = "";
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            first = text.substring(0, newline);
            rest = text.substring(newline + 1);
        }
        String output = first;
        StringBuilder perf = new StringBuilder();
        int bar = first.indexOf('|');
        if (bar >= 0) {
            output = first.substring(0, bar).strip();
            perf.append(first.substring(bar + 1).strip());
        }
        int longBar = rest.indexOf('|');
        if (longBar >= 0) {
            String longPerf = rest.substring(longBar + 1).strip();
            rest = rest.substring(0, longBar);
            if (!longPerf.isEmpty()) {
                perf.append(perf.length() > 0 ? " " : "").append(longPerf.replace('\n', ' '));
            }
        }
        if (!rest.isBlank()) {
            output = output + "\n" + rest.strip();
        }
        return new CheckResult(command, exitCode, output, perf.toString());
    }

    Map<String, Object> toData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(NrpeCatalog.COMMAND, command);
        data.put(NrpeCatalog.EXITCODE, exitCode);
        data.put(NrpeCatalog.STATE, state().name());
        data.put(NrpeCatalog.OUTPUT, output);
        data.put(NrpeCatalog.PERFDATA, perfdata);
        return data;
    }
}
