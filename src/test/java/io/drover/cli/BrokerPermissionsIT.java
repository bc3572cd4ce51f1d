package io.drover.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import io.drover.agent.Node;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.Discovery;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.testing.RabbitNode;
import io.drover.testing.TestFleet;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drover's broker permission scheme, applied by {@code drover broker setup} to a RabbitMQ node of the test's own
 * (never the system broker): each forbidden operation is observed as RabbitMQ's 403 ACCESS_REFUSED, and agents and
 * a runner connecting as those users still serve a directed request and discovery with the registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerPermissionsIT {
    private static final String C = "perm";
    private static final String WEB1 = "web1.example.com";
    private static final String WEB2 = "web2.example.com";
    private static final String RUNNER = "deployer";
    private static final String PASSWORD = "it-secret-1";
    private RabbitNode rabbit;
    private final List<NodeHost> agents = new ArrayList<>();
    private String firstSetup;
    private String secondSetup;

    @BeforeAll
    void setUp() throws Exception {
        rabbit = RabbitNode.start("perm");
        firstSetup = setup(0);
        secondSetup = setup(0);
        for (String user : List.of(RUNNER, WEB1, WEB2)) {
            rabbit.ctl("change_password", user, PASSWORD);
        }
        agents.add(agent(WEB1));
        agents.add(agent(WEB2));
    }

    @AfterAll
    void tearDown() {
        agents.forEach(NodeHost::close);
        if (rabbit != null) {
            rabbit.close();
        }
    }

    /** Runs {@code drover broker setup} against the test's node; returns its output. */
    private String setup(int expectedExit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new BrokerSetupCommand(new ProcessCommandRunner(List.of(), Duration.ofSeconds(120), 64 * 1024),
                Map.of("HOME", rabbit.home().dir().toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))
                .main(new String[]{"setup", "--collective", C, "--runner", RUNNER, "--node", WEB1 + "," + WEB2,
                        "--rabbitmqctl", RabbitNode.rabbitmqctl().toString(), "-n", rabbit.nodeName()});
        String output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, output);
        return output;
    }

    /** Connects as {@code user}, stamping what it publishes with {@code user_id} (drover.broker.user-id, broker.user_id). */
    private BrokerConnector as(String user) {
        return BrokerConnector.of(List.of(java.net.URI.create("amqp://127.0.0.1:" + rabbit.amqpPort())), user, PASSWORD, null, true);
    }

    private NodeHost agent(String identity) throws Exception {
        Node node = Node.build(new NodeSpec(identity, List.of(C), Set.of("roles::web_server"), Map.of("country", "de"),
                TestFleet.sandboxAgents()), Plugins.installed());
        NodeHost host = new NodeHost(as(identity), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false),
                NodeHost.Options.agent(identity));
        try {
            host.add(List.of(node));
        } catch (Exception e) {
            host.close();
            throw e;
        }
        return host;
    }

    @Test
    void setupIsIdempotentAndCreatesUsersOnlyOnce() {
        assertTrue(firstSetup.contains("(3 created)"), firstSetup);
        assertTrue(secondSetup.contains("(0 created)"), secondSetup);
        assertTrue(!firstSetup.contains("add_user " + RUNNER + " ") || firstSetup.contains("add_user " + RUNNER + " '***'")
                || firstSetup.contains("add_user " + RUNNER + " ***"), "no password printed: " + firstSetup);
    }

    @Test
    void theAllowedPathWorks() throws Exception {
        try (DroverClient client = DroverClient.connect(as(RUNNER), ClientOptions.defaults().withCollective(C)
                .withCallTimeout(Duration.ofSeconds(20)))) {
            Discovery discovery = client.discover(Filter.all());
            assertEquals(Set.of(WEB1, WEB2), discovery.identities(), discovery.toString());
            assertEquals(Discovery.Ended.ALL_EXPECTED, discovery.ended(), "the registry is readable: " + discovery);
            Discovery again = client.discover(Filter.all());
            assertEquals(Discovery.Ended.ALL_EXPECTED, again.ended(), "from the registry view: " + again);
            CallResult result = client.call(Call.of("rpcutil", "ping").to(Set.of(WEB1)));
            assertTrue(result.allOk(), result.toString());
        }
    }

    @Test
    void aClientNamedReplyQueueIsAllowedToo() throws Exception {
        allowed(as(RUNNER), channel -> {
            String queue = channel.queueDeclare("drover-reply.alice." + java.util.UUID.randomUUID(), false, true, true, null).getQueue();
            channel.basicConsume(queue, true, (tag, delivery) -> { }, tag -> { });
            channel.basicPublish("", queue, null, new byte[0]);
        });
    }

    /** A runner follows the registry between whole reads through a queue of its own bound to the registry exchange. */
    @Test
    void aRunnerMayBindItsRegistryViewQueueToTheRegistryOnly() throws Exception {
        String view = Topology.registryView(Topology.replyQueue("alice"));
        allowed(as(RUNNER), channel -> {
            Topology.declareRegistryView(channel, view, C, true, 1_000);
            channel.basicConsume(view, false, "view", new com.rabbitmq.client.DefaultConsumer(channel));
        });
        refused(as(RUNNER), "bind its registry view queue to the broadcast exchange", channel -> {
            channel.queueDeclare(view, false, true, false, null);
            channel.queueBind(view, Topology.broadcastExchange(C), "rpcutil");
        });
        refused(as(WEB1), "bind a registry view queue", channel -> Topology.declareRegistryView(channel, view, C, true, 1_000));
    }

    @Test
    void repliesCarryTheNodesBrokerUserAndAForgedUserIdIsRefused() throws Exception {
        try (Connection connection = as(RUNNER).connect("drover permissions IT user_id")) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            java.util.concurrent.BlockingQueue<AMQP.BasicProperties> replies = new java.util.concurrent.LinkedBlockingQueue<>();
            channel.basicConsume(queue, true, (tag, delivery) -> replies.add(delivery.getProperties()), tag -> { });
            io.drover.protocol.Request request = new io.drover.protocol.Request(io.drover.protocol.Request.newId(), C, "rpcutil", "ping",
                    Map.of(), null, List.of(WEB1), RUNNER, System.currentTimeMillis(), 60, null);
            channel.basicPublish(Topology.directedExchange(C), WEB1, new AMQP.BasicProperties.Builder().replyTo(queue)
                    .correlationId(request.id()).userId(RUNNER).build(), io.drover.protocol.JsonCodec.instance().encode(request));
            AMQP.BasicProperties reply = replies.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(reply != null, "web1 answered");
            assertEquals(WEB1, reply.getUserId(), "the broker let web1 stamp only its own user");
        }
        // RabbitMQ itself refuses a message claiming another user: 406 PRECONDITION_FAILED
        try (Connection connection = as(WEB1).connect("drover permissions IT forged user_id")) {
            Channel channel = connection.createChannel();
            channel.basicPublish("", "amq.gen-nothing", new AMQP.BasicProperties.Builder().userId(WEB2).build(), new byte[0]);
            long deadline = System.currentTimeMillis() + 15_000;
            while (channel.isOpen() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(channel.getCloseReason() != null && channel.getCloseReason().getReason() instanceof AMQP.Channel.Close close
                    && close.getReplyCode() == 406, "forged user_id: " + channel.getCloseReason());
        }
    }

    /** Why one permission entry per node: RabbitMQ 3.10 does not expand {username} in configure/write/read patterns. */
    @Test
    void resourcePatternsDoNotExpandTheUserName() throws Exception {
        rabbit.ctl("add_user", "probe", PASSWORD);
        rabbit.ctl("set_permissions", "-p", "/", "probe", "^probe\\.{username}$", "", "");
        refused(as("probe"), "declare probe.probe, allowed only if {username} were expanded",
                channel -> channel.queueDeclare("probe.probe", false, true, true, null));
    }

    // ---- a node user ----

    @Test
    void anAgentServingAnIdentityNotItsUsersSaysAccessRefused() throws Exception {
        Node node = Node.build(new NodeSpec("web3.example.com", List.of(C), Set.of(), Map.of(), TestFleet.sandboxAgents()),
                Plugins.installed());
        try (NodeHost host = new NodeHost(as(WEB1), new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false),
                NodeHost.Options.agent("web3.example.com"))) {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> host.add(List.of(node)));
            assertTrue(String.valueOf(e.getMessage()).startsWith("access refused for user web1.example.com on queue drover.perm.node.web3.example.com: ACCESS_REFUSED"),
                    e.getMessage());
        }
    }

    @Test
    void aNodeCannotConsumeAnotherNodesQueue() throws Exception {
        refused(as(WEB1), "consume web2's queue",
                channel -> channel.basicConsume(Topology.nodeQueue(C, WEB2), true, (tag, delivery) -> { }, tag -> { }));
        refused(as(WEB1), "basic.get from web2's queue", channel -> channel.basicGet(Topology.nodeQueue(C, WEB2), true));
    }

    @Test
    void aNodeCannotDeleteOrPurgeAnotherNodesQueue() throws Exception {
        refused(as(WEB1), "delete web2's queue", channel -> channel.queueDelete(Topology.nodeQueue(C, WEB2)));
        refused(as(WEB1), "purge web2's queue", channel -> channel.queuePurge(Topology.nodeQueue(C, WEB2)));
    }

    @Test
    void aNodeCannotUnbindAnotherNodesQueue() throws Exception {
        refused(as(WEB1), "unbind web2's queue from the directed exchange",
                channel -> channel.queueUnbind(Topology.nodeQueue(C, WEB2), Topology.directedExchange(C), WEB2));
        refused(as(WEB1), "unbind web2's queue from the broadcast exchange",
                channel -> channel.queueUnbind(Topology.nodeQueue(C, WEB2), Topology.broadcastExchange(C), "rpcutil"));
    }

    @Test
    void aNodeCannotSquatAnotherNodesQueueName() throws Exception {
        refused(as(WEB1), "declare the queue of a node not yet started",
                channel -> channel.queueDeclare(Topology.nodeQueue(C, "web3.example.com"), false, true, true, null));
    }

    @Test
    void aNodeCannotMakeAQueueToReadRequestsInto() throws Exception {
        refused(as(WEB1), "declare a server-named queue", channel -> channel.queueDeclare());
        refused(as(WEB1), "declare a queue of its own choosing",
                channel -> channel.queueDeclare("sniffer", false, true, true, null));
    }

    @Test
    void aNodeCannotBindItsQueueToEveryBroadcast() throws Exception {
        // the topic permission: binding keys are plain agent names, never # or *
        refused(as(WEB1), "bind its queue to the broadcast exchange with #",
                channel -> channel.queueBind(Topology.nodeQueue(C, WEB1), Topology.broadcastExchange(C), "#"));
        refused(as(WEB1), "bind its queue to the broadcast exchange with *.x",
                channel -> channel.queueBind(Topology.nodeQueue(C, WEB1), Topology.broadcastExchange(C), "*"));
    }

    @Test
    void aNodeCannotPublishRequests() throws Exception {
        refused(as(WEB1), "publish to the directed exchange",
                channel -> channel.basicPublish(Topology.directedExchange(C), WEB2, null, "{}".getBytes(StandardCharsets.UTF_8)));
        refused(as(WEB1), "publish to the broadcast exchange",
                channel -> channel.basicPublish(Topology.broadcastExchange(C), "rpcutil", null, "{}".getBytes(StandardCharsets.UTF_8)));
    }

    // ---- a runner user ----

    @Test
    void aRunnerCannotConsumeANodesQueue() throws Exception {
        refused(as(RUNNER), "consume web1's queue",
                channel -> channel.basicConsume(Topology.nodeQueue(C, WEB1), true, (tag, delivery) -> { }, tag -> { }));
    }

    @Test
    void aRunnerCannotDeleteUnbindOrSquatANodesQueue() throws Exception {
        refused(as(RUNNER), "delete web1's queue", channel -> channel.queueDelete(Topology.nodeQueue(C, WEB1)));
        refused(as(RUNNER), "unbind web1's queue",
                channel -> channel.queueUnbind(Topology.nodeQueue(C, WEB1), Topology.directedExchange(C), WEB1));
        refused(as(RUNNER), "declare a node's queue",
                channel -> channel.queueDeclare(Topology.nodeQueue(C, "web3.example.com"), false, true, true, null));
    }

    @Test
    void aRunnerCannotBindAQueueToReadRequests() throws Exception {
        refused(as(RUNNER), "bind its reply queue to the directed exchange", channel -> {
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, Topology.directedExchange(C), WEB1);
        });
        refused(as(RUNNER), "bind its reply queue to the broadcast exchange", channel -> {
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, Topology.broadcastExchange(C), "rpcutil");
        });
    }

    @Test
    void aRunnerCannotBroadcastWithAWildcardKey() throws Exception {
        refused(as(RUNNER), "publish to the broadcast exchange with #",
                channel -> channel.basicPublish(Topology.broadcastExchange(C), "#", null, "{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRunnerTakesDeployLocksAndNamesTheirHolderAndANodeCannot() throws Exception {
        io.drover.lock.DeployLocks locks = new io.drover.lock.DeployLocks(as(RUNNER), C);
        java.util.SortedSet<String> hosts = new java.util.TreeSet<>(Set.of(WEB1, WEB2));
        try (io.drover.lock.HostLock lock = locks.acquire(hosts, io.drover.lock.LockHolder.ofThisRunner(RUNNER, "perm.feature:2 (lock)"),
                Duration.ZERO)) {
            assertTrue(lock.isHeld());
            io.drover.lock.LockedException locked = org.junit.jupiter.api.Assertions.assertThrows(io.drover.lock.LockedException.class,
                    () -> locks.acquire(hosts, io.drover.lock.LockHolder.ofThisRunner(RUNNER, "other.feature:2 (other)"), Duration.ZERO));
            assertTrue(locked.getMessage().contains("perm.feature:2 (lock)"), "the holder record is readable: " + locked.getMessage());
        }
        refused(as(WEB1), "declare a deploy lock", channel -> channel.queueDeclare(Topology.hostLock(C, WEB2), true, false, false,
                Map.of("x-expires", 86_400_000L)));
        refused(as(WEB1), "hold a deploy lock", channel -> channel.basicConsume(Topology.hostLock(C, WEB2), true, new com.rabbitmq.client.DefaultConsumer(channel)));
        refused(as(WEB1), "read the deploy locks' holder records", channel -> channel.basicGet(Topology.lockHolders(C), false));
    }

    private interface ChannelAction {
        void run(Channel channel) throws Exception;
    }

    /** Runs {@code action} on a new connection as a user and proves RabbitMQ closed the channel (or connection) with 403. */
    private static void refused(BrokerConnector user, String what, ChannelAction action) throws Exception {
        try (Connection connection = user.connect("drover permissions IT")) {
            Channel channel = connection.createChannel();
            try {
                action.run(channel);
            } catch (java.io.IOException | ShutdownSignalException e) {
                // a synchronous method refused; the close reason says why
            }
            // basic.publish is asynchronous: the refusal closes the channel a moment later
            long deadline = System.currentTimeMillis() + 15_000;
            while (channel.isOpen() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            ShutdownSignalException close = channel.getCloseReason();
            if (close == null) {
                fail(what + " was allowed; it must be refused");
            }
            Method reason = close.getReason();
            int code = reason instanceof AMQP.Channel.Close c ? c.getReplyCode()
                    : reason instanceof AMQP.Connection.Close c ? c.getReplyCode() : -1;
            assertEquals(403, code, what + ": expected ACCESS_REFUSED, got " + close.getMessage());
        }
    }

    /** Runs {@code action} on a new connection as a user and proves the channel stayed open. */
    private static void allowed(BrokerConnector user, ChannelAction action) throws Exception {
        try (Connection connection = user.connect("drover permissions IT")) {
            Channel channel = connection.createChannel();
            action.run(channel);
            channel.queueDeclarePassive(Topology.registryQueue(C)); // a round trip after any asynchronous refusal
            assertTrue(channel.isOpen(), String.valueOf(channel.getCloseReason()));
        }
    }
}
