package io.drover.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.runner.DroverSession;
import io.drover.sandbox.Sandbox;
import io.drover.testing.FeatureRun;
import io.drover.testing.SandboxSession;
import io.drover.testing.HeadlessChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet report of real sandbox runs, rendered in Debian's headless Chromium: the seed passing, and a rolling deploy
 * halted by two broken hosts in its second batch. The counts the page shows are the run's JSON's, its filters work, no
 * script error occurred, and screenshots are saved under {@value #OUT}. Then a synthetic rolling deploy of 12 and of
 * 5,000 hosts: it renders, its counts match, a host's hostile message stays text, and the file's size and render time
 * are printed (never asserted: the machine is shared).
 */
class ReportBrowserIT {
    static final String OUT = "target/report-browser";
    private static final Path DIR = Path.of(OUT);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OUTCOMES = List.of("ok", "changed", "failed", "refused", "no_reply", "skipped", "dry_run");
    private static final String DPKG_ERROR = "E: Sub-process /usr/bin/dpkg returned an error code (1)";
    private static final int WIDTH = 1360;

    private static HeadlessChromium browser;
    private Sandbox sandbox;
    private DroverSession session;
    private SandboxSession running;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = HeadlessChromium.start(WIDTH, 1000);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void startSandbox() throws Exception {
        running = SandboxSession.start();
        sandbox = running.sandbox();
        session = running.session();
    }

    @AfterEach
    void stopSandbox() {
        running.close();
    }

    private SandboxPackages packages(String identity) {
        return (SandboxPackages) sandbox.fleet().node(identity).plugin("package", PackageAgent.class).packages();
    }

    /** Runs {@code feature} on this test's sandbox and keeps its fleet report under {@value #OUT}/{@code name}. */
    private Path run(Path feature, String name, int scenarios, boolean passes) throws IOException {
        FeatureRun run = FeatureRun.of(feature, DIR, name);
        assertEquals(passes ? scenarios : 0, run.passedScenarios(), () -> run.failureMessage().orElse(""));
        String link = String.join("\n", run.afterHookAttachments());
        Path html = Path.of("target", RunReport.HTML_FILE).toAbsolutePath();
        assertTrue(link.contains(html.toUri().toString()), "the Cucumber report links the fleet report: " + link);
        Path kept = DIR.resolve(name);
        Files.createDirectories(kept);
        Files.copy(html, kept.resolve(RunReport.HTML_FILE), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of("target", RunReport.JSON_FILE), kept.resolve(RunReport.JSON_FILE), StandardCopyOption.REPLACE_EXISTING);
        return kept;
    }

    /** Renders the report in {@code dir}, checks what it shows against its JSON and that no script failed; returns the JSON. */
    private static JsonNode render(Path dir) throws Exception {
        JsonNode run = JSON.readTree(dir.resolve(RunReport.JSON_FILE).toFile());
        browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(WIDTH, 1000));
        browser.open(dir.resolve(RunReport.HTML_FILE), "window.droverReport && window.droverReport.ready || window.droverErrors.length",
                Duration.ofSeconds(120));
        noScriptErrors();
        for (String outcome : OUTCOMES) {
            assertEquals(run.get("counts").get(outcome).asLong(), shownCount("#counts [data-count='" + outcome + "']"),
                    "the recap's count of " + outcome);
        }
        for (int i = 0; i < run.get("scenarios").size(); i++) {
            JsonNode scenario = run.get("scenarios").get(i);
            for (String outcome : OUTCOMES) {
                long expected = scenario.get("counts").get(outcome).asLong();
                String selector = "[data-scenario='" + i + "'] .chips [data-count='" + outcome + "']";
                assertEquals(expected, expected == 0 ? 0 : shownCount(selector), "scenario " + i + "'s count of " + outcome);
            }
            JsonNode discovery = scenario.get("discovery");
            if (!discovery.isNull()) {
                assertEquals(discovery.get("answered").asLong(), shownCount("[data-scenario='" + i + "'] [data-discovery='answered'] .fig"));
                assertEquals(discovery.get("missing").size(), shownCount("[data-scenario='" + i + "'] [data-discovery='missing'] .fig"));
            }
            assertEquals(scenario.get("status").asText(), browser.script("return document.querySelector(\"[data-scenario='" + i
                    + "'] [data-status]\").getAttribute('data-status')"));
        }
        return run;
    }

    private static long shownCount(String selector) {
        Object text = browser.script("var e = document.querySelector(arguments[0]); return e ? e.textContent : null", selector);
        assertTrue(text != null, "the page shows " + selector);
        return Long.parseLong(text.toString().replace(",", "").strip());
    }

    private static void noScriptErrors() {
        assertEquals(List.of(), browser.script("return window.droverErrors"), "script errors on the page");
        assertEquals(List.of(), browser.severeLog(), "errors in the browser's console");
    }

    private static long shownHosts() {
        return Long.parseLong(browser.script("return document.getElementById('shown').getAttribute('data-shown')").toString());
    }

    private static void filter(String id, String value) {
        browser.script("var e = document.getElementById(arguments[0]); e.value = arguments[1];"
                + "e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input'))", id, value);
    }

    @Test
    void theSeedsReportShowsEveryHostChanged() throws Exception {
        Path dir = run(Path.of("features/deploy.feature"), "seed", 1, true);
        JsonNode run = render(dir);
        assertEquals(4, run.get("counts").get("changed").asInt(), run.get("counts").toString());
        assertEquals(4L, browser.script("return document.querySelectorAll('[data-grid] .row[data-host]').length"));
        assertEquals(6L * 4, browser.script("return document.querySelectorAll('[data-grid] .cell').length"), "six steps, four hosts");
        assertEquals(6L, browser.script("return document.querySelectorAll('.timeline canvas').length"), "a timeline per step");
        assertEquals("PASSED", browser.script("return document.getElementById('run-status').textContent"));
        filter("f-host", "dev3");
        assertEquals(1, shownHosts());
        filter("f-host", "");
        filter("f-fact", "country=fr");
        assertEquals(0, shownHosts(), "the seed deploys German hosts only");
        filter("f-fact", "country=de");
        assertEquals(4, shownHosts());
        filter("f-fact", "");
        noScriptErrors();
        browser.screenshot(DIR.resolve("seed.png"));
    }

    @Test
    void aHaltedRollingDeployShowsItsBatchesTheFailedHostsAndTheRerunCommand() throws Exception {
        // Batches of 1 and 50% over the four German hosts: dev1, then dev2 and dev3, then dev4. Two failures in the
        // second batch are over the budget of one: the rollout halts there and dev4's batch never starts.
        packages("dev2.de.example.com").breakPackage("mywebapp", DPKG_ERROR);
        packages("dev3.de.example.com").breakPackage("mywebapp", DPKG_ERROR);
        Path dir = run(Path.of("features/rolling.feature"), "rolling-failed", 1, false);
        JsonNode run = render(dir);
        JsonNode scenario = run.get("scenarios").get(0);
        assertEquals("failed", scenario.get("status").asText());
        assertEquals(3, scenario.get("batches").size());
        assertEquals(2, run.get("counts").get("failed").asInt(), run.get("counts").toString());
        assertEquals(1, run.get("counts").get("changed").asInt(), run.get("counts").toString());
        assertEquals(1, run.get("counts").get("skipped").asInt(), run.get("counts").toString());
        assertEquals(3L, browser.script("return document.querySelectorAll('[data-grid] .row.batch').length"), "a row per batch");
        assertEquals(2L, browser.script("return document.querySelectorAll('#attention-table tr[data-host]').length"));
        assertTrue(browser.script("return document.getElementById('rerun-command').textContent").toString()
                .contains("-Ddrover.hosts=@target/drover-rerun.txt"));
        filter("f-outcome", "failed");
        assertEquals(2, shownHosts());
        filter("f-outcome", "");
        browser.script("document.querySelector(\"[data-grid] .row[data-host='dev2.de.example.com'] .cell.o-failed\").click()");
        assertTrue(browser.script("return document.getElementById('detail-body').textContent").toString().contains(DPKG_ERROR));
        browser.script("document.getElementById('detail-close').click()");
        noScriptErrors();
        browser.screenshot(DIR.resolve("rolling-failed.png"));
    }

    @Test
    void twelveAndFiveThousandHostsRenderWithTheirCountsAndHostileMessagesStayText() throws Exception {
        for (int hosts : new int[]{12, 5_000}) {
            Path dir = DIR.resolve("synthetic-" + hosts);
            RunReport report = new RunReport(dir, "synthetic", "drover", false);
            long built = System.nanoTime();
            report.add(SyntheticRun.of(hosts));
            long writtenMs = (System.nanoTime() - built) / 1_000_000;
            long started = System.nanoTime();
            JsonNode run = render(dir);
            long openedMs = (System.nanoTime() - started) / 1_000_000;
            double renderMs = ((Number) browser.script("return window.droverReport.renderMs")).doubleValue();
            Number loadMs = (Number) browser.script("var t = performance.getEntriesByType('navigation')[0]; return t ? t.loadEventEnd : null");
            long total = 0;
            for (JsonNode count : run.get("counts")) {
                total += count.asLong();
            }
            assertEquals(hosts, total);
            assertNull(browser.script("return window.droverPwned === undefined ? null : window.droverPwned"), "a host's message ran as script");
            assertEquals(0L, browser.script("return document.querySelectorAll('img').length"), "a host's message became markup");
            assertTrue(browser.script("return document.body.textContent").toString().contains("</script><script>window.droverPwned=1"),
                    "the hostile message is shown as the text it is");
            // Only the rows in view are in the document; scrolling to the end shows the last host.
            browser.script("var g = document.querySelector('[data-grid]'); g.scrollTop = g.scrollHeight;");
            Thread.sleep(300);
            String last = run.get("scenarios").get(0).get("hosts").get(hosts - 1).get("host").asText();
            assertTrue((Boolean) browser.script("return Boolean(document.querySelector(\"[data-grid] .row[data-host='\" + arguments[0] + \"']\"))", last),
                    "scrolled to the end, the grid shows " + last);
            noScriptErrors();
            long bytes = Files.size(dir.resolve(RunReport.HTML_FILE));
            System.out.printf(Locale.ROOT, "FLEET REPORT %,d hosts: drover-report.html %,d bytes (drover-run.json %,d bytes), written in %d ms;"
                            + " rendered by its script in %.0f ms, page loaded in %s ms, opened by the test in %d ms%n", hosts, bytes,
                    Files.size(dir.resolve(RunReport.JSON_FILE)), writtenMs, renderMs, loadMs == null ? "?" : Math.round(loadMs.doubleValue()),
                    openedMs);
            browser.script("document.querySelector('[data-grid]').scrollTop = 0;");
            browser.screenshot(DIR.resolve("synthetic-" + hosts + ".png"));
        }
    }
}
