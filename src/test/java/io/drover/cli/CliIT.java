package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;
import io.drover.testing.TestBroker;
import io.drover.testing.TestIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line against an emulated fleet: output for people and scripts, and the exit codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
    @TempDir
    static Path dir;
    private TestBroker broker;
    private EmulatedFleet fleet;
    private final TestIssuer issuer = TestIssuer.create("cli-issuer");
    private Path issuerKey;
    private String collective;

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    void start() throws Exception {
        broker = TestBroker.embedded();
        KeyFiles.create(dir, "alice");
        collective = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        FleetSpec spec = FleetSpec.load(Path.of("sandbox/fleet.yaml"));
        fleet = EmulatedFleet.start(new FleetSpec(collective, spec.nodes().stream().map(node -> new io.drover.agent.NodeSpec(
                node.identity(), List.of(collective), node.classes(), node.facts(), node.agents())).toList()),
                broker.connector(), "cli fleet", new RequestSecurity(new RequestVerifier(TrustedKeys.load(dir)), null, null,
                        issuer.signer(spec.nodes().stream().map(io.drover.agent.NodeSpec::identity).toArray(String[]::new))));
        issuerKey = issuer.writePublic(dir.resolve("issuer"));
    }

    @AfterAll
    void stop() {
        fleet.close();
        broker.close();
    }

    private Run run(BiFunction<PrintStream, PrintStream, FleetCommand> command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--broker", broker.connector().uris().get(0).toString(), "--collective", collective,
                "--key", dir.resolve("alice.key").toString(), "--issuer", issuerKey.toString()));
        int exit = command.apply(new PrintStream(out, true), new PrintStream(err, true)).main(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void pingShowsEveryHostAndExitsZero() {
        Run run = run(PingCommand::new, "--class", "roles::dev_server", "--fact", "country=de");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("| dev1.de.example.com | OK"), run.out());
        assertTrue(run.out().contains("rpcutil.ping: 4 of 4 hosts OK"), run.out());
        assertTrue(!run.out().contains("\r") && !run.err().contains("\r"), "no carriage returns when not on a terminal");
    }

    @Test
    void discoverPrintsIdentitiesAndChecksTheExpectedCount() throws Exception {
        Run run = run(DiscoverCommand::new, "--where", "roles::db_server");
        assertEquals(0, run.exit());
        assertEquals(List.of("db1.de.example.com", "db1.us.example.com"), run.out().lines().toList());
        assertEquals(1, run(DiscoverCommand::new, "--where", "roles::db_server", "--expect", "3").exit());
        JsonNode json = new ObjectMapper().readTree(run(DiscoverCommand::new, "--fact", "country=fr", "--json").out());
        assertEquals(2, json.get("hosts").size());
    }

    @Test
    void rpcReportsFailuresAndExitsOne() throws Exception {
        Run ok = run(RpcCommand::new, "service", "status", "service=httpd", "--identity", "web1.fr.example.com");
        assertEquals(0, ok.exit(), ok.err());
        Run failed = run(RpcCommand::new, "package", "install", "package=mywebapp", "version=9.9", "--identity", "/^db1/", "--json");
        assertEquals(1, failed.exit());
        JsonNode json = new ObjectMapper().readTree(failed.out());
        assertEquals(2, json.get("summary").get("failed").asInt());
        assertTrue(json.get("hosts").get(0).get("message").asText().contains("9.9"));
        Run typed = run(RpcCommand::new, "firewall", "block", "address:=\"10.7.0.1\"", "--identity", "db1.us.example.com");
        assertEquals(0, typed.exit(), typed.err() + typed.out());
        Run invalid = run(RpcCommand::new, "firewall", "block", "address=10.7.0.1;reboot", "--identity", "db1.us.example.com");
        assertEquals(1, invalid.exit());
        assertTrue(invalid.out().contains("4 invalid data"), invalid.out());
    }

    @Test
    void inventoryDescribesANode() throws Exception {
        Run run = run(InventoryCommand::new, "dev3.de.example.com");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("dev3.de.example.com (drover "), run.out());
        assertTrue(run.out().contains("firewall (sandbox): [block, unblock, is_blocked, list_blocked]"), run.out());
        assertTrue(run.out().contains("memory_mb: 32768"), run.out());
        assertEquals(1, run(InventoryCommand::new, "nosuch.example.com").exit());
    }

    @Test
    void badUsageExitsTwo() {
        assertEquals(2, run(RpcCommand::new, "firewall").exit());
        assertEquals(2, run(PingCommand::new, "--where", "country ==").exit());
        assertEquals(2, run(PingCommand::new, "--bogus").exit());
        assertEquals(2, run(RpcCommand::new, "firewall", "block", "address").exit());
    }

    @Test
    void nothingMatchingExitsOne() {
        Run run = run(PingCommand::new, "--fact", "country=xx", "--discovery-timeout", "0.3");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("No host matched country == xx"), run.err());
    }
}
