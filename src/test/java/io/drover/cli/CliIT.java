package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Request;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;
import io.drover.testing.TestBroker;
import io.drover.transport.Topology;
import io.drover.testing.TestIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    /** A node whose clock is 5 minutes ahead: it refuses every request, discovery included. */
    private NodeHost skewed;
    /** A node that answers discovery and nothing else, like a hung agent. */
    private Connection mute;

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
        RequestSecurity security = new RequestSecurity(new RequestVerifier(TrustedKeys.load(dir)), null, null,
                issuer.signer("skewed.example.com", "mute.example.com"));
        skewed = new NodeHost(broker.connector(), new RequestHandler(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5)),
                Duration.ofSeconds(30), 3600, false, security), NodeHost.Options.agent("skewed.example.com"));
        skewed.add(List.of(node("skewed.example.com", "roles::skewed")));
        mute = startMute(node("mute.example.com", "roles::mute"),
                new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false, security));
    }

    private Node node(String identity, String role) {
        return Node.build(new NodeSpec(identity, List.of(collective), Set.of(role), Map.of(),
                Map.of("service", Map.of("provider", "sandbox", "services", Map.of("httpd", "running")))), Plugins.installed());
    }

    /** Serves {@code node}'s queue, answering broadcasts (discovery) and dropping every directed request. */
    private Connection startMute(Node node, RequestHandler handler) throws Exception {
        Connection connection = broker.connector().connect("cli mute node");
        Channel channel = connection.createChannel();
        Topology.declareExchanges(channel, collective);
        String queue = Topology.declareNodeQueue(channel, Topology.nodeQueue(collective, node.identity())).getQueue();
        channel.queueBind(queue, Topology.broadcastExchange(collective), "rpcutil");
        channel.queueBind(queue, Topology.broadcastExchange(collective), "service");
        channel.queueBind(queue, Topology.directedExchange(collective), node.identity());
        channel.basicConsume(queue, true, "cli-mute", (tag, delivery) -> {
            if (delivery.getBody().length == 0) {
                return; // a runner's probe, dropped as agents drop them
            }
            Request request = JsonCodec.instance().decodeRequest(delivery.getBody());
            if (request.isDirected()) {
                return;
            }
            handler.handle(node, request).ifPresent(reply -> {
                try {
                    channel.basicPublish("", delivery.getProperties().getReplyTo(),
                            new AMQP.BasicProperties.Builder().correlationId(request.id()).build(), JsonCodec.instance().encode(reply));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }, tag -> { });
        // It registers like any agent, so discovery waits for it (an unregistered host is only counted if it is quick).
        Topology.declareRegistry(channel, collective, Topology.isRabbitMq(channel.getConnection()), false);
        io.drover.protocol.Registration hello = new io.drover.protocol.Registration("hello", node.identity(), collective,
                List.copyOf(node.classes()), node.facts(), List.copyOf(node.agents()), "test", "x", System.currentTimeMillis(),
                System.currentTimeMillis(), 300, null, 0);
        channel.basicPublish(Topology.registryExchange(collective), "", null, JsonCodec.instance().encode(hello));
        return connection;
    }

    @AfterAll
    void stop() throws Exception {
        mute.close();
        skewed.close();
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
        // Refused before anything is sent, in the words the node would have replied with status 4.
        assertEquals(2, invalid.exit(), invalid.out());
        assertTrue(invalid.err().startsWith("drover rpc: Input 'address' of firewall.block '10.7.0.1;reboot' is not valid: "),
                invalid.err());
        assertEquals("", invalid.out());
    }

    @Test
    void rpcDryRunSaysWhatWouldHappenAndChangesNothing() throws Exception {
        Run dry = run(RpcCommand::new, "firewall", "block", "address=10.9.0.1", "--identity", "db1.de.example.com", "--dry-run");
        assertEquals(0, dry.exit(), dry.err() + dry.out());
        assertTrue(dry.out().contains("would block 10.9.0.1"), dry.out());
        assertTrue(dry.out().contains("DRY RUN (nothing was changed): firewall.block: 1 of 1 hosts OK") && dry.out().contains("; 1 would change"),
                dry.out());
        Run status = run(RpcCommand::new, "firewall", "is_blocked", "address=10.9.0.1", "--identity", "db1.de.example.com", "--json");
        assertEquals(false, new ObjectMapper().readTree(status.out()).get("hosts").get(0).get("data").get("blocked").asBoolean(),
                "the dry run blocked nothing");
        JsonNode json = new ObjectMapper().readTree(run(RpcCommand::new, "package", "update", "package=mywebapp", "--identity",
                "db1.de.example.com", "--dry-run", "--json").out());
        assertTrue(json.get("dry_run").asBoolean());
        assertEquals(1, json.get("summary").get("would_change").asInt());
        assertEquals(0, json.get("summary").get("changed").asInt());
        JsonNode host = json.get("hosts").get(0);
        assertEquals("would update mywebapp 4.2.6-2.el5 -> 4.2.6-3.el5", host.get("message").asText());
        assertTrue(host.get("data").get("dry_run").asBoolean());
        assertEquals("4.2.6-2.el5", new ObjectMapper().readTree(run(RpcCommand::new, "package", "status", "package=mywebapp",
                "--identity", "db1.de.example.com", "--json").out()).get("hosts").get(0).get("data").get("version").asText());
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

    private Run fleetCommand(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--broker", broker.connector().uris().get(0).toString(), "--collective", collective,
                "--issuer", issuerKey.toString()));
        int exit = RegistryCommand.run(all.toArray(String[]::new), new PrintStream(out, true), new PrintStream(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aDeadHostFailsDiscoveryUntilItIsForgotten() throws Exception {
        io.drover.agent.NodeSpec temp = new io.drover.agent.NodeSpec("temp1.zz.example.com", List.of(collective), java.util.Set.of(),
                java.util.Map.of("country", "zz"), java.util.Map.of());
        try (EmulatedFleet extra = EmulatedFleet.start(new FleetSpec(collective, List.of(temp)), broker.connector(), "extra",
                new RequestSecurity(new RequestVerifier(TrustedKeys.load(dir)), null, null, issuer.signer("temp1.zz.example.com")))) {
            assertEquals(0, run(DiscoverCommand::new, "--fact", "country=zz").exit());
            extra.stop("temp1.zz.example.com");
        }
        Run dead = run(DiscoverCommand::new, "--fact", "country=zz");
        assertEquals(1, dead.exit());
        assertTrue(dead.err().contains("temp1.zz.example.com matched when last seen"), dead.err());
        Run rpc = run(RpcCommand::new, "rpcutil", "ping", "--fact", "country=zz");
        assertEquals(1, rpc.exit());
        assertTrue(rpc.err().contains("did not answer discovery; nothing was run"), rpc.err());

        Run list = fleetCommand("list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("temp1.zz.example.com") && list.out().contains("hosts registered"), list.out());
        assertEquals(1, fleetCommand("forget", "nosuch.example.com").exit());
        assertEquals(2, fleetCommand("forget").exit());
        Run forget = fleetCommand("forget", "temp1.zz.example.com");
        assertEquals(0, forget.exit(), forget.err());
        assertTrue(forget.out().startsWith("Forgot temp1.zz.example.com"), forget.out());
        assertFalse(fleetCommand("list").out().contains("temp1"));
        assertTrue(run(DiscoverCommand::new, "--fact", "country=zz").err().contains("0 hosts matching"));
    }

    @Test
    void everyCommandExitsOneWhenAHostRefusedDiscovery() throws Exception {
        String[] filter = {"--where", "roles::db_server or roles::skewed", "--timeout", "20"};
        Run ping = run(PingCommand::new, filter);
        assertEquals(1, ping.exit(), ping.out() + ping.err());
        assertTrue(ping.out().contains("| db1.de.example.com | OK"), ping.out());
        assertTrue(ping.out().contains("1 more refused discovery: skewed.example.com"), ping.out());
        assertTrue(ping.err().contains("skewed.example.com refused discovery: 1 aborted: refused: request expired"), ping.err());
        assertTrue(ping.err().contains("synchronise the clocks"), ping.err());

        Run rpc = run(RpcCommand::new, concat(new String[] {"service", "status", "service=httpd", "--json"}, filter));
        assertEquals(1, rpc.exit(), rpc.out() + rpc.err());
        JsonNode json = new ObjectMapper().readTree(rpc.out());
        assertEquals(1, json.get("summary").get("refused_discovery").asInt(), rpc.out());
        assertEquals(2, json.get("summary").get("ok").asInt(), rpc.out());
        assertTrue(rpc.out().contains("\"result\" : \"refused_discovery\""), rpc.out());

        Run discover = run(DiscoverCommand::new, filter);
        assertEquals(1, discover.exit(), discover.err());
        assertTrue(discover.err().contains("skewed.example.com refused discovery"), discover.err());

        Run inventory = run(InventoryCommand::new, "skewed.example.com");
        assertEquals(1, inventory.exit(), inventory.out() + inventory.err());
        assertTrue(inventory.err().contains("skewed.example.com: 1 aborted: refused: request expired"), inventory.err());

        Run none = run(PingCommand::new, "--class", "roles::skewed");
        assertEquals(1, none.exit(), none.out() + none.err());
        assertTrue(none.err().contains("Every host matching class(roles::skewed) refused discovery"), none.err());
    }

    @Test
    void everyCommandExitsOneWhenAHostIsSilent() throws Exception {
        String[] filter = {"--where", "roles::db_server or roles::mute", "--timeout", "5"};
        Run ping = run(PingCommand::new, filter);
        assertEquals(1, ping.exit(), ping.out() + ping.err());
        assertTrue(ping.out().contains("1 did not answer"), ping.out());

        Run rpc = run(RpcCommand::new, concat(new String[] {"service", "status", "service=httpd", "--json"}, filter));
        assertEquals(1, rpc.exit(), rpc.out() + rpc.err());
        assertNotNull(new ObjectMapper().readTree(rpc.out()).get("summary"), rpc.out() + rpc.err());
        assertEquals(1, new ObjectMapper().readTree(rpc.out()).get("summary").get("missing").asInt(), rpc.out());

        Run discover = run(DiscoverCommand::new, "--where", "roles::db_server", "--expect", "3");
        assertEquals(1, discover.exit(), discover.err());

        Run inventory = run(InventoryCommand::new, "mute.example.com", "--timeout", "3");
        assertEquals(1, inventory.exit(), inventory.out() + inventory.err());
        assertTrue(inventory.err().contains("mute.example.com: no reply within 3 s"), inventory.err());
    }

    private static String[] concat(String[] first, String[] second) {
        return Stream.concat(Arrays.stream(first), Arrays.stream(second)).toArray(String[]::new);
    }

    @Test
    void badUsageExitsTwo() {
        assertEquals(2, run(RpcCommand::new, "firewall").exit());
        assertEquals(2, run(PingCommand::new, "--where", "country ==").exit());
        assertEquals(2, run(PingCommand::new, "--bogus").exit());
        assertEquals(2, run(RpcCommand::new, "firewall", "block", "address").exit());
    }

    @Test
    void aRefusedLoginHasItsOwnExitCodeAndSaysHowToFix() {
        java.net.URI uri = broker.connector().uris().get(0);
        String user = uri.getUserInfo().split(":", 2)[0];
        String wrong = uri.getScheme() + "://" + user + ":Wr0ng-Pa55@" + uri.getHost() + ":" + uri.getPort() + uri.getRawPath();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PingCommand(new PrintStream(out, true), new PrintStream(err, true)).main(new String[] {"--broker", wrong,
                "--collective", collective, "--key", dir.resolve("alice.key").toString(), "--issuer", issuerKey.toString()});
        assertEquals(ExitCodes.AUTHENTICATION, exit, err.toString());
        assertTrue(err.toString().startsWith("drover ping: The broker ") && err.toString().contains("refused the login of user " + user),
                err.toString());
        assertTrue(err.toString().contains("Check the user and password"), err.toString());
        assertFalse(err.toString().contains("Wr0ng-Pa55"), "the password is masked: " + err);
    }

    @Test
    void nothingMatchingExitsOne() {
        Run run = run(PingCommand::new, "--fact", "country=xx", "--discovery-timeout", "0.3");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("No host matched country == xx"), run.err());
    }
}
