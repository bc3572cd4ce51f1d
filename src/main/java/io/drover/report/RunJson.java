package io.drover.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code drover-run.json}: one document per run, the stable format documented in docs/report.md. A field is never
 * renamed or given another meaning without raising {@link #FORMAT_VERSION}; new fields may be added.
 */
final class RunJson {
    /** The version of the format; readers should refuse a version they do not know. */
    static final int FORMAT_VERSION = 1;
    static final ObjectMapper MAPPER = new ObjectMapper();

    private RunJson() {
    }

    static ObjectNode of(RunReport.RunInfo run, List<ScenarioRecord> scenarios) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("generator", "Drover");
        root.put("written_at", Instant.now().toString());
        ObjectNode info = root.putObject("run");
        info.put("started_at", run.started().toString());
        info.put("broker", run.broker());
        info.put("collective", run.collective());
        info.put("dry_run", run.dryRun());
        Map<Outcome, Integer> total = new LinkedHashMap<>();
        for (Outcome outcome : Outcome.values()) {
            total.put(outcome, 0);
        }
        scenarios.forEach(scenario -> scenario.counts().forEach((outcome, count) -> total.merge(outcome, count, Integer::sum)));
        counts(root.putObject("counts"), total);
        ArrayNode list = root.putArray("scenarios");
        scenarios.forEach(scenario -> scenario(list.addObject(), scenario));
        return root;
    }

    private static void counts(ObjectNode node, Map<Outcome, Integer> counts) {
        counts.forEach((outcome, count) -> node.put(outcome.key(), count));
    }

    private static void scenario(ObjectNode node, ScenarioRecord scenario) {
        node.put("name", scenario.name);
        node.put("feature", scenario.feature);
        node.put("line", scenario.line);
        node.put("status", scenario.status);
        node.put("dry_run", scenario.dryRun);
        node.put("started_at", scenario.started.toString());
        node.put("elapsed_ms", scenario.elapsedMs);
        ScenarioRecord.DiscoveryCheck check = scenario.discovery;
        if (check == null) {
            node.putNull("discovery");
        } else {
            ObjectNode discovery = node.putObject("discovery");
            discovery.put("filter", check.filter());
            discovery.put("expected_from", check.expectedFrom());
            discovery.put("elapsed_ms", check.elapsedMs());
            discovery.put("ended", check.ended());
            // Jackson writes a null Integer, Long or Double as JSON null.
            discovery.put("registered", check.registered());
            discovery.put("answered", check.answered());
            ObjectNode missing = discovery.putObject("missing");
            check.missing().forEach(missing::put);
            ObjectNode refused = discovery.putObject("refused");
            check.refused().forEach(refused::put);
            ArrayNode unregistered = discovery.putArray("unregistered");
            check.unregistered().forEach(unregistered::add);
        }
        ArrayNode batches = node.putArray("batches");
        scenario.batches.forEach((label, hosts) -> {
            ObjectNode batch = batches.addObject();
            batch.put("label", label);
            ArrayNode members = batch.putArray("hosts");
            hosts.forEach(members::add);
        });
        ArrayNode steps = node.putArray("steps");
        for (ScenarioRecord.Step step : scenario.steps) {
            ObjectNode s = steps.addObject();
            s.put("name", step.name);
            s.put("ran", step.ran);
            ArrayNode calls = s.putArray("calls");
            for (ScenarioRecord.StepCall call : step.calls) {
                ObjectNode c = calls.addObject();
                c.put("batch", call.batch());
                c.put("action", call.action());
                c.put("started_ms", call.startedMs());
                c.put("elapsed_ms", call.elapsedMs());
                ArrayNode cells = c.putArray("hosts");
                for (ScenarioRecord.Cell cell : call.cells()) {
                    ObjectNode h = cells.addObject();
                    h.put("host", cell.host());
                    h.put("outcome", cell.outcome().key());
                    h.put("result", cell.result());
                    h.put("status", cell.status());
                    h.put("message", cell.message());
                    h.put("answered_ms", cell.answeredMs() == null ? null : Double.valueOf(Math.round(cell.answeredMs() * 10) / 10.0));
                    h.put("node_ms", cell.nodeMs());
                }
            }
        }
        ArrayNode hosts = node.putArray("hosts");
        for (ScenarioRecord.HostLine line : scenario.hosts) {
            ObjectNode h = hosts.addObject();
            h.put("host", line.host());
            h.put("batch", line.batch());
            h.put("outcome", line.outcome().key());
            h.put("last_step", line.lastStep());
            h.put("message", line.message());
            ObjectNode facts = h.putObject("facts");
            scenario.facts.getOrDefault(line.host(), new java.util.TreeMap<>()).forEach(facts::put);
        }
        counts(node.putObject("counts"), scenario.counts());
        node.put("rerun", scenario.rerun);
    }
}
