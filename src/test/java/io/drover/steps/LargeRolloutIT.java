package io.drover.steps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetTemplate;
import io.drover.testing.FeatureRun;
import io.drover.testing.TestBroker;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At 5,000 hosts a step's console output is a few lines grouping identical outcomes, while the reports keep the full
 * per-host table: text the console formatters print (identity-encoded) versus bytes they only name (base64).
 */
class LargeRolloutIT {
    private static final int NODES = 5000;
    private static final String DPKG_ERROR = "E: Sub-process /usr/bin/dpkg returned an error code (1)";
    private static final Path REPORTS = Path.of("target/rollout-large");

    private record Attachment(String name, String encoding, String body) {
    }

    @Test
    void fiveThousandHostsGetASummaryOnTheConsoleAndTheFullTableInTheReports() throws Exception {
        String collective = "large-rollout-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestBroker broker = TestBroker.embedded();
             EmulatedFleet fleet = EmulatedFleet.start(FleetTemplate.load(Path.of("sandbox/emulator.yaml")).fleet(NODES, collective),
                     broker.connector(), "large rollout fleet");
             // The session closes its client.
             DroverSession session = DroverSession.of(RunnerConfig.read(Map.<String, String>of()::get, env -> null),
                     DroverClient.connect(broker.connector(), ClientOptions.defaults().withCollective(collective)), null)) {
            for (String host : List.of("node-00007", "node-04711")) {
                ((SandboxPackages) fleet.node(host).plugin("package", PackageAgent.class).packages()).breakPackage("mywebapp", DPKG_ERROR);
            }
            DroverSession previous = DroverSession.install(session);
            Path messages = REPORTS.resolve("large.ndjson");
            FeatureRun run;
            try {
                Files.createDirectories(REPORTS);
                run = FeatureRun.of(Path.of("src/test/resources/io/drover/steps/rollout/large-fleet.feature"), REPORTS, "large",
                        List.of("message:" + messages));
            } finally {
                DroverSession.install(previous);
            }
            assertEquals(4, run.stepsWithStatus("passed").size(), run.stepStatuses().toString());
            assertEquals(1, run.failedScenarios(), "the two failed hosts fail the scenario at its end");

            List<Attachment> attachments = attachments(messages);
            Attachment console = find(attachments, "package.update per host (summary)");
            assertEquals("IDENTITY", console.encoding(), "printed on the console");
            assertTrue(console.body().startsWith("update mywebapp (package.update): 4998 of 5000 hosts OK, 4998 changed in "), console.body());
            assertTrue(console.body().contains("\n4,998 OK, 2 FAILED:\n  2 FAILED: " + DPKG_ERROR + "\n    node-00007, node-04711\n"),
                    console.body());
            assertTrue(console.body().lines().count() <= 5, console.body());
            Attachment full = find(attachments, "package.update per host");
            assertEquals("BASE64", full.encoding(), "named on the console, kept in the reports");
            String table = new String(java.util.Base64.getDecoder().decode(full.body()), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(NODES + 2, table.lines().count(), "summary line, header and a row per host");
            assertTrue(table.contains("| node-04711 | FAILED |"), "the full table is in the report");

            Attachment recap = find(attachments, "recap (summary)");
            assertTrue(recap.body().startsWith("Recap of 5,000 hosts: 4,998 changed, 2 failed:\n"), recap.body());
            assertEquals("BASE64", find(attachments, "recap").encoding());
            assertTrue(run.failureMessage().orElseThrow().contains("2 hosts failed within the failure budget"));
        }
    }

    private static Attachment find(List<Attachment> attachments, String name) {
        return attachments.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no attachment " + name + " in " + attachments.stream().map(Attachment::name).toList()));
    }

    private static List<Attachment> attachments(Path ndjson) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Attachment> found = new ArrayList<>();
        for (String line : Files.readAllLines(ndjson)) {
            JsonNode attachment = json.readTree(line).get("attachment");
            if (attachment != null) {
                found.add(new Attachment(attachment.path("fileName").asText(), attachment.path("contentEncoding").asText(),
                        attachment.path("body").asText()));
            }
        }
        return found;
    }
}
