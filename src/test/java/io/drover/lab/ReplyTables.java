package io.drover.lab;

import io.drover.testing.FeatureRun;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the per-host tables Drover's steps attach to the report ({@code | host | result | status | changed | ...}). */
final class ReplyTables {
    private ReplyTables() {
    }

    /** Each host's row of the table a step attached, as column name to value. */
    static Map<String, Map<String, String>> rows(FeatureRun.Step step) {
        if (step.attachments().isEmpty()) {
            throw new AssertionError("step '" + step.text() + "' attached no table (status " + step.status() + ")");
        }
        Map<String, Map<String, String>> rows = new TreeMap<>();
        List<String> header = null;
        for (String line : step.attachments().get(step.attachments().size() - 1).lines().toList()) {
            if (!line.startsWith("  |")) {
                continue;
            }
            List<String> cells = List.of(line.substring(3, line.length() - 1).split("\\|")).stream().map(String::strip).toList();
            if (header == null) {
                header = cells;
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), i < cells.size() ? cells.get(i) : "");
            }
            rows.put(row.get("host"), row);
        }
        return rows;
    }

    /** Host to its {@code changed} column: "true", "false", or "" for a reply without it. */
    static Map<String, String> changed(FeatureRun.Step step) {
        Map<String, String> changed = new TreeMap<>();
        rows(step).forEach((host, row) -> changed.put(host, row.get("result") + " changed=" + row.get("changed")));
        return changed;
    }
}
