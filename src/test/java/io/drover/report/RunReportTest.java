package io.drover.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.client.CallResult;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run's JSON (the stable format of docs/report.md) and the page it is embedded in, hostile host messages included. */
class RunReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Reply reply(String host, Status status, String message, boolean changed) {
        return new Reply("req-1", host, "firewall", "block", status, message, Map.of("changed", changed), 3);
    }

    /** One step of four hosts: one changed, one unchanged, one refused, one silent; a fifth skipped, failed before. */
    private static ScenarioRecord scenario(boolean dryRun) {
        ScenarioRecord record = new ScenarioRecord("Update the website", "features/deploy.feature", 6,
                List.of("Given the load balancer has ip address 192.168.1.1", "When I block the load balancer", "Then it is blocked"), dryRun);
        record.stepStarted(0);
        record.stepStarted(1);
        TreeMap<String, Reply> replies = new TreeMap<>(Map.of(
                "a.example.com", reply("a.example.com", Status.OK, "blocked 192.168.1.1", true),
                "b.example.com", reply("b.example.com", Status.OK, "already blocked", false),
                "c.example.com", reply("c.example.com", Status.ABORTED, "refused: request expired " + SyntheticRun.HOSTILE, false)));
        TreeMap<String, String> missing = new TreeMap<>(Map.of("d.example.com", CallResult.NO_REPLY_WITHIN + "60 s"));
        TreeSet<String> expected = new TreeSet<>(replies.keySet());
        expected.addAll(missing.keySet());
        TreeMap<String, Duration> answeredAt = new TreeMap<>(Map.of("a.example.com", Duration.ofMillis(12),
                "b.example.com", Duration.ofMillis(15), "c.example.com", Duration.ofMillis(900)));
        CallResult result = new CallResult("req-1", "firewall", "block", expected, replies, missing, new TreeMap<>(), 0,
                Duration.ofSeconds(60), List.of(), 0, answeredAt);
        record.call(1, "block 192.168.1.1", null, System.nanoTime(), result, HostTable.of(result), Set.of("e.example.com"));
        List<ScenarioRecord.HostLine> lines = new ArrayList<>();
        lines.add(record.host("a.example.com", "1 of 1", "block", "changed", ""));
        lines.add(record.host("b.example.com", "1 of 1", "block", "OK", ""));
        lines.add(record.host("c.example.com", "1 of 1", "block", "failed", "FAILED: refused: request expired " + SyntheticRun.HOSTILE));
        lines.add(record.host("d.example.com", "1 of 1", "block", "failed", "NO REPLY: no reply within 60 s"));
        lines.add(record.host("e.example.com", "1 of 1", "-", "never started", ""));
        record.end("failed", lines, "./mvnw verify -Dcucumber.features=features/deploy.feature -Ddrover.hosts=@target/drover-rerun.txt");
        return record;
    }

    private static JsonNode written(Path dir, ScenarioRecord... scenarios) throws Exception {
        RunReport report = new RunReport(dir, "sandbox", "drover", false);
        for (ScenarioRecord scenario : scenarios) {
            report.add(scenario);
        }
        return JSON.readTree(report.json().toFile());
    }

    @Test
    void eachHostOfEachStepHasItsOutcomeArrivalAndMessage(@TempDir Path dir) throws Exception {
        JsonNode run = written(dir, scenario(false));
        assertEquals(1, run.get("format_version").asInt());
        JsonNode scenario = run.get("scenarios").get(0);
        assertEquals("failed", scenario.get("status").asText());
        JsonNode step = scenario.get("steps").get(1);
        assertEquals("When I block the load balancer", step.get("name").asText());
        assertTrue(step.get("ran").asBoolean());
        assertFalse(scenario.get("steps").get(2).get("ran").asBoolean());
        Map<String, String> outcomes = new TreeMap<>();
        for (JsonNode cell : step.get("calls").get(0).get("hosts")) {
            outcomes.put(cell.get("host").asText(), cell.get("outcome").asText());
        }
        assertEquals(Map.of("a.example.com", "changed", "b.example.com", "ok", "c.example.com", "refused", "d.example.com", "no_reply",
                "e.example.com", "skipped"), outcomes);
        JsonNode first = step.get("calls").get(0).get("hosts").get(0);
        assertEquals(12.0, first.get("answered_ms").asDouble());
        assertEquals(3, first.get("node_ms").asLong());
        assertTrue(step.get("calls").get(0).get("hosts").get(3).get("answered_ms").isNull(), "a silent host has no arrival time");
        assertEquals("firewall.block", step.get("calls").get(0).get("action").asText());
    }

    @Test
    void theRecapSaysHowEachFailedHostFailedAndCountsEveryOutcome(@TempDir Path dir) throws Exception {
        JsonNode scenario = written(dir, scenario(false)).get("scenarios").get(0);
        Map<String, String> outcomes = new TreeMap<>();
        scenario.get("hosts").forEach(host -> outcomes.put(host.get("host").asText(), host.get("outcome").asText()));
        assertEquals(Map.of("a.example.com", "changed", "b.example.com", "ok", "c.example.com", "refused", "d.example.com", "no_reply",
                "e.example.com", "skipped"), outcomes);
        assertEquals("{\"ok\":1,\"changed\":1,\"failed\":0,\"refused\":1,\"no_reply\":1,\"skipped\":1,\"dry_run\":0}",
                scenario.get("counts").toString());
        assertTrue(scenario.get("rerun").asText().contains("-Ddrover.hosts=@target/drover-rerun.txt"));
    }

    @Test
    void aDryRunsAnswersAreDryRunOutcomes(@TempDir Path dir) throws Exception {
        JsonNode scenario = written(dir, scenario(true)).get("scenarios").get(0);
        assertEquals(2, scenario.get("counts").get("dry_run").asInt());
        assertTrue(scenario.get("dry_run").asBoolean());
    }

    @Test
    void theRunCountsEveryScenarioAndKeepsTheRegistrysFacts(@TempDir Path dir) throws Exception {
        JsonNode run = written(dir, scenario(false), SyntheticRun.of(40));
        assertEquals(2, run.get("scenarios").size());
        int hosts = 0;
        for (JsonNode count : run.get("counts")) {
            hosts += count.asInt();
        }
        assertEquals(5 + 40, hosts);
        JsonNode synthetic = run.get("scenarios").get(1);
        assertEquals(40, synthetic.get("discovery").get("registered").asInt());
        assertEquals("production", synthetic.get("hosts").get(0).get("facts").get("environment").asText());
        assertEquals("RedHat", synthetic.get("hosts").get(1).get("facts").get("os.family").asText(), "nested facts are flattened");
    }

    @Test
    void hostileMessagesCannotCloseTheScriptElementAndTheEmbeddedJsonIsTheRunsJson(@TempDir Path dir) throws Exception {
        JsonNode run = written(dir, scenario(false));
        String page = Files.readString(dir.resolve(RunReport.HTML_FILE));
        assertFalse(page.contains("<script>window.droverPwned"), "the hostile text's markup is escaped");
        assertFalse(page.contains("<img"), "no markup of the host's words reaches the page");
        assertEquals(1, page.split("<script type=\"application/json\"", -1).length - 1);
        String open = "<script type=\"application/json\" id=\"drover-run\">";
        int start = page.indexOf(open) + open.length();
        String embedded = page.substring(start, page.indexOf("</script>", start));
        JsonNode parsed = JSON.readTree(embedded);
        assertEquals(run, parsed, "the page embeds exactly the run's JSON");
        assertTrue(parsed.get("scenarios").get(0).get("hosts").get(2).get("message").asText().endsWith(SyntheticRun.HOSTILE),
                "the host's words survive, as text");
    }

    @Test
    void messagesAreBounded(@TempDir Path dir) throws Exception {
        ScenarioRecord record = new ScenarioRecord("s", "f.feature", 1, List.of(), false);
        record.end("passed", List.of(record.host("x", "-", "-", "failed", "y".repeat(100_000))), null);
        JsonNode run = written(dir, record);
        assertEquals(ScenarioRecord.MAX_MESSAGE, run.get("scenarios").get(0).get("hosts").get(0).get("message").asText().length());
    }

    @Test
    void inertEscapesWhatAnHtmlParserSeesInAScript() {
        assertEquals("\"\\u003c/script\\u003e \\u0026 \\u2028\"", ReportPage.inert("\"</script> & \u2028\""));
    }
}
