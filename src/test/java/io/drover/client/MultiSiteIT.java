package io.drover.client;

import io.drover.agents.pkg.PackageAgent;
import io.drover.agents.pkg.SandboxPackages;
import io.drover.error.BrokerUnreachableException;
import io.drover.filter.Filter;
import io.drover.report.HostTable;
import io.drover.runner.Constants;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.testing.FeatureRun;
import io.drover.testing.RabbitNode;
import io.drover.testing.TcpRelay;
import io.drover.testing.TestFleet;
import io.drover.transport.BrokerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One deploy across two sites: two RabbitMQ nodes of the test's own, not clustered, each with its own agents and
 * fleet registry, and one runner connected to both ({@code drover.sites}). The runner reaches site dc2 through a relay
 * that stands for the link between the sites, so the link can drop while the broker and agents there stay up; the
 * other failure stops dc2's broker itself. Either way the step must fail naming the site and its hosts, never pass
 * without them, and the same deploy must pass once the site is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiSiteIT {
    private static final Set<String> DC1 = Set.of("dev1.de.example.com", "dev2.de.example.com");
    private static final Set<String> DC2 = Set.of("dev3.de.example.com", "dev4.de.example.com");
    private static final Filter GERMAN_DEV = Filter.parse("roles::dev_server and country=de");

    private RabbitNode dc1;
    private RabbitNode dc2;
    private TcpRelay link;
    private TestFleet fleet1;
    private TestFleet fleet2;

    @BeforeAll
    void startSites() {
        dc1 = RabbitNode.start("site-dc1");
        dc2 = RabbitNode.start("site-dc2");
    }

    @AfterAll
    void stopSites() {
        try {
            if (dc2 != null) {
                dc2.close();
            }
        } finally {
            if (dc1 != null) {
                dc1.close();
            }
        }
    }

    @BeforeEach
    void startAgents() throws Exception {
        link = new TcpRelay(dc2.amqpPort());
        fleet1 = new TestFleet(dc1.connector());
        fleet2 = fleet1.onBroker(dc2.connector());
        for (String host : DC1) {
            fleet1.start(host, Set.of("roles::dev_server"), Map.of("country", "de"), agents());
        }
        for (String host : DC2) {
            fleet2.start(host, Set.of("roles::dev_server"), Map.of("country", "de"), agents());
        }
        // Not selected by the deploy: a French host at dc2 must not be touched.
        fleet2.start("dev1.fr.example.com", Set.of("roles::dev_server"), Map.of("country", "fr"), agents());
    }

    @AfterEach
    void stopAgents() throws Exception {
        link.cut(false);
        try {
            fleet2.close();
        } finally {
            try {
                fleet1.close();
            } finally {
                link.close();
            }
        }
    }

    /** The sandbox providers, with a check slow enough to drop the link while the hosts work on it. */
    private static Map<String, Map<String, Object>> agents() {
        Map<String, Map<String, Object>> agents = new LinkedHashMap<>(TestFleet.sandboxAgents());
        agents.put("nrpe", Map.of("provider", "sandbox", "timeout", 60,
                "commands", Map.of("check_slow", Map.of("exit", 0, "output", "OK - slow", "delay_ms", 4_000))));
        return agents;
    }

    private Map<String, BrokerConnector> sites() {
        Map<String, BrokerConnector> sites = new LinkedHashMap<>();
        sites.put("dc1", dc1.connector());
        sites.put("dc2", BrokerConnector.of("amqp://guest:guest@127.0.0.1:" + link.port()));
        return sites;
    }

    /** The runner settings of a deploy across both sites, dc2 through the relay. */
    private Map<String, String> siteSettings() throws Exception {
        Path issuer = fleet1.writeIssuer(Path.of("target", "multi-site"));
        return Map.of(
                Constants.SITES_PROPERTY_NAME, "dc1=" + dc1.amqpUri() + ";dc2=amqp://guest:guest@127.0.0.1:" + link.port(),
                Constants.COLLECTIVE_PROPERTY_NAME, fleet1.collective(),
                Constants.ISSUER_PROPERTY_NAME, issuer.toString());
    }

    private DroverClient bothSites() throws Exception {
        return DroverClient.connect(sites(), options());
    }

    /** Both sites without the relay: what the measurement compares (the relay adds latency of its own). */
    private DroverClient bothSitesDirect() throws Exception {
        Map<String, BrokerConnector> sites = new LinkedHashMap<>();
        sites.put("dc1", dc1.connector());
        sites.put("dc2", dc2.connector());
        return DroverClient.connect(sites, options());
    }

    private ClientOptions options() {
        return ClientOptions.defaults().withCollective(fleet1.collective()).withReplyVerifier(fleet1.verifier());
    }

    private static Set<String> all() {
        Set<String> all = new TreeSet<>(DC1);
        all.addAll(DC2);
        return all;
    }

    private static Call slowCheck() {
        return Call.of("nrpe", "run_command").param("command", "check_slow");
    }

    @Test
    void theSeedDeployPassesAcrossBothSitesFromTheSitesSetting() throws Exception {
        Map<String, String> settings = siteSettings();
        RunnerConfig config = RunnerConfig.read(settings::get, env -> null);
        assertEquals(List.of("dc1", "dc2"), List.copyOf(config.sites().keySet()));
        try (DroverSession session = DroverSession.open(config)) {
            DroverSession previous = DroverSession.install(session);
            try {
                FeatureRun run = FeatureRun.of(Path.of("features/deploy.feature"), Path.of("target", "multi-site"), "seed-two-sites");
                assertEquals(1, run.passedScenarios(), run.failureMessage().orElse("no message"));
                FeatureRun again = FeatureRun.of(Path.of("features/deploy.feature"), Path.of("target", "multi-site"), "seed-two-sites-again");
                assertEquals(1, again.passedScenarios(), again.failureMessage().orElse("no message"));
            } finally {
                DroverSession.install(previous);
            }
        }
        for (String host : all()) {
            TestFleet on = DC1.contains(host) ? fleet1 : fleet2;
            assertEquals("4.2.6-3.el5", installed(on, host), host + " was updated");
        }
        assertEquals("4.2.6-2.el5", installed(fleet2, "dev1.fr.example.com"), "the French host was left alone");
    }

    /**
     * A host's deploy lock lives on its own site's broker: a run holding a dc2 host there (a runner of dc2 alone) stops a
     * deploy across both sites at discovery, naming it, and nothing changes. Before, a run over several sites locked
     * every host on the first site's broker, so it went ahead beside the dc2 run.
     */
    @Test
    void aHostIsLockedOnItsOwnSiteSoARunOfThatSiteAloneStopsADeployAcrossBoth() throws Exception {
        Map<String, String> settings = siteSettings();
        String busy = "dev3.de.example.com";
        try (DroverSession session = DroverSession.open(RunnerConfig.read(settings::get, env -> null))) {
            DroverSession previous = DroverSession.install(session);
            try {
                try (io.drover.lock.HostLock other = new io.drover.lock.DeployLocks(dc2.connector(), fleet1.collective())
                        .acquire(new TreeSet<>(Set.of(busy)), io.drover.lock.LockHolder.ofThisRunner("bob", "dc2-only.feature"),
                                Duration.ZERO)) {
                    FeatureRun run = FeatureRun.of(Path.of("features/deploy.feature"), Path.of("target", "multi-site"), "seed-locked-on-dc2");
                    assertEquals(1, run.failedScenarios(), "the deploy across both sites must not start beside bob's run on dc2");
                    String message = run.failureMessage().orElse("");
                    assertTrue(message.contains("bob") && message.contains("dc2-only.feature") && message.contains(busy), message);
                    assertTrue(other.isHeld());
                }
                for (String host : all()) {
                    assertEquals("4.2.6-2.el5", installed(DC1.contains(host) ? fleet1 : fleet2, host), host + " was left alone");
                }
                FeatureRun again = FeatureRun.of(Path.of("features/deploy.feature"), Path.of("target", "multi-site"), "seed-after-dc2");
                assertEquals(1, again.passedScenarios(), again.failureMessage().orElse("no message"));
            } finally {
                DroverSession.install(previous);
            }
        }
    }

    private static String installed(TestFleet fleet, String host) throws Exception {
        SandboxPackages packages = (SandboxPackages) fleet.node(host).plugin("package", PackageAgent.class).packages();
        return packages.status("mywebapp").version();
    }

    @Test
    void aHostNoDiscoverySawIsAskedOnEverySiteAndCountsOnce() throws Exception {
        try (DroverClient client = bothSites()) {
            // No discovery yet (a host list, a rerun file): each host is asked on both sites; the site without it
            // returns it as not connected, which must not count against the reply from its own site.
            CallResult result = client.call(Call.of("rpcutil", "ping").to(all()));
            assertTrue(result.allOk(), HostTable.of(result).render());
            assertEquals(all(), result.replies().keySet());
            assertEquals(0, result.duplicates(), HostTable.of(result).render());
            CallResult gone = client.call(Call.of("rpcutil", "ping").to(Set.of("gone.de.example.com")));
            assertEquals(Set.of("gone.de.example.com"), gone.missing().keySet());
            String why = gone.missing().get("gone.de.example.com");
            assertTrue(why.contains("(site dc1)") && why.contains("(site dc2)"), "both sites say why: " + why);
        }
    }

    @Test
    void discoveryNamesTheSiteOfAHostThatIsRegisteredButSilent() throws Exception {
        try (DroverClient client = bothSites()) {
            Discovery complete = client.discover(GERMAN_DEV);
            assertTrue(complete.complete(), complete.toString());
            assertEquals(all(), complete.identities());
            fleet2.kill("dev4.de.example.com");
            Discovery discovery = client.discover(GERMAN_DEV);
            assertFalse(discovery.complete(), "a registered host that did not answer must not pass: " + discovery);
            assertEquals(Set.of("dev4.de.example.com"), discovery.missing().keySet(), discovery.toString());
            assertTrue(discovery.missing().get("dev4.de.example.com").endsWith("(site dc2)"), discovery.missing().toString());
        }
    }

    @Test
    void theLinkToASiteDropsMidStepThenTheRerunPasses() throws Exception {
        try (DroverClient client = bothSites()) {
            assertEquals(all(), client.discover(GERMAN_DEV).identities());
            CompletableFuture<CallResult> running = CompletableFuture.supplyAsync(
                    () -> client.call(slowCheck().to(all()).timeout(Duration.ofSeconds(12))));
            Thread.sleep(1_000);
            link.cut(true);
            CallResult result = running.get(60, TimeUnit.SECONDS);
            String table = HostTable.of(result).renderFailures();
            System.out.println("multi-site, the link to dc2 dropped mid-step:\n" + table);
            assertFalse(result.allOk(), table);
            assertEquals(DC1, result.replies().keySet(), "dc1 answered: " + table);
            assertEquals(DC2, result.missing().keySet(), "dc2's hosts are named: " + table);
            result.missing().values().forEach(why -> assertTrue(why.contains("(site dc2)"), why));
            assertTrue(table.contains("site dc2"), "the broker line names the site: " + table);
            assertTrue(result.connectionSummary().contains("lost its broker connection"), result.connectionSummary());
            // A discovery while the link is down fails naming the site, rather than finding dc1's hosts alone.
            BrokerUnreachableException down = assertThrows(BrokerUnreachableException.class, () -> client.discover(GERMAN_DEV));
            assertTrue(down.getMessage().startsWith("Site dc2: "), down.getMessage());

            link.cut(false);
            // dc2's agents answered into the runner's reply queue at dc2: once the link is back, those answers are late
            // replies of the merged call (its request id), as a step's late-reply table finds them.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lateHosts(client, result).size() < DC2.size() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(DC2, lateHosts(client, result));
            CallResult rerun = awaitAllOk(client, slowCheck().to(all()).timeout(Duration.ofSeconds(30)));
            assertTrue(rerun.allOk(), HostTable.of(rerun).render());
        }
    }

    @Test
    void aSiteBrokerStopsMidStepThenTheRerunPasses() throws Exception {
        try (DroverClient client = bothSites()) {
            assertEquals(all(), client.discover(GERMAN_DEV).identities());
            CompletableFuture<CallResult> running = CompletableFuture.supplyAsync(
                    () -> client.call(slowCheck().to(all()).timeout(Duration.ofSeconds(12))));
            Thread.sleep(1_000);
            dc2.stopApp();
            CallResult result;
            try {
                result = running.get(60, TimeUnit.SECONDS);
            } finally {
                dc2.startApp();
            }
            String table = HostTable.of(result).renderFailures();
            System.out.println("multi-site, dc2's broker stopped mid-step:\n" + table);
            assertFalse(result.allOk(), table);
            assertEquals(DC1, result.replies().keySet(), table);
            assertEquals(DC2, result.missing().keySet(), table);
            result.missing().values().forEach(why -> assertTrue(why.contains("(site dc2)"), why));
            assertTrue(table.contains("site dc2"), table);

            // The agents and the runner reconnect by themselves; discovery over both sites is whole again. Until the
            // runner is back on dc2 (seconds, more on a loaded machine) a discovery fails saying so: try again.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Discovery discovery = null;
            while (System.nanoTime() < deadline) {
                try {
                    discovery = client.discover(GERMAN_DEV);
                    if (discovery.complete() && discovery.identities().equals(all())) {
                        break;
                    }
                } catch (io.drover.error.BrokerUnreachableException e) {
                    if (System.nanoTime() >= deadline) {
                        throw e;
                    }
                }
                Thread.sleep(500);
            }
            assertNotNull(discovery, "no discovery succeeded within 60 s of dc2's broker coming back");
            assertEquals(all(), discovery.identities(), discovery.toString());
            CallResult rerun = awaitAllOk(client, slowCheck().to(all()).timeout(Duration.ofSeconds(30)));
            assertTrue(rerun.allOk(), HostTable.of(rerun).render());
        }
    }

    private static Set<String> lateHosts(DroverClient client, CallResult result) {
        Set<String> hosts = new TreeSet<>();
        client.lateReplyRecords().stream().filter(late -> late.requestId().equals(result.requestId())).forEach(late -> hosts.add(late.host()));
        return hosts;
    }

    /** Reruns {@code call} until it passes, for at most a minute (the runner reconnects within seconds). */
    private static CallResult awaitAllOk(DroverClient client, Call call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        CallResult result = client.call(call);
        while (!result.allOk() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            result = client.call(call);
        }
        return result;
    }

    /**
     * What a deploy across both sites costs against one site: discovery and a directed ping of every host, each
     * repeated. Printed, never asserted (two cores shared with other work).
     */
    @Test
    void measuresADeployAcrossBothSitesAgainstOneSite() throws Exception {
        int rounds = 20;
        Call ping = Call.of("rpcutil", "ping");
        try (DroverClient one = DroverClient.connect(dc1.connector(), options()); DroverClient both = bothSitesDirect()) {
            List<Long> oneDiscovery = new ArrayList<>();
            List<Long> bothDiscovery = new ArrayList<>();
            List<Long> oneCall = new ArrayList<>();
            List<Long> bothCall = new ArrayList<>();
            for (int i = 0; i < rounds + 2; i++) {
                Discovery d1 = one.discover(GERMAN_DEV);
                Discovery d2 = both.discover(GERMAN_DEV);
                assertEquals(DC1, d1.identities());
                assertEquals(all(), d2.identities());
                CallResult c1 = one.call(ping.to(DC1));
                CallResult c2 = both.call(ping.to(all()));
                assertTrue(c1.allOk() && c2.allOk(), HostTable.of(c2).render());
                if (i >= 2) {
                    // The first two rounds warm the JIT and the connections.
                    oneDiscovery.add(d1.elapsed().toMillis());
                    bothDiscovery.add(d2.elapsed().toMillis());
                    oneCall.add(c1.elapsed().toMillis());
                    bothCall.add(c2.elapsed().toMillis());
                }
            }
            System.out.printf(Locale.ROOT, "multi-site: %d rounds, median ms: discovery one site %d, both sites %d; directed ping "
                            + "of every host: one site (2 hosts) %d, both sites (4 hosts) %d%n", rounds, median(oneDiscovery),
                    median(bothDiscovery), median(oneCall), median(bothCall));
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
