package io.drover.agents.firewall;

import io.drover.agent.Node;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.agent.command.Command;
import io.drover.agent.command.ProcessCommandRunner;
import io.drover.catalog.IpAddress;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.testing.NetnsPair;
import io.drover.testing.RealTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every real firewall provider must do, against the real tool, in two network namespaces: a "load
 * balancer" connects to a listener in the "node", and the provider, aimed at the node by its command prefix and
 * driven through the agent's request path, must make that connection fail and work again. Rules the test puts
 * in the node first must survive, and the host's own ruleset must not change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FirewallContract {
    /** Long enough for a SYN over a veth pair on a busy machine; a dropped connect costs this much. */
    private static final Duration DROPPED = Duration.ofSeconds(1);
    private static final Duration CONNECTS = Duration.ofSeconds(10);
    static final ProcessCommandRunner HOST = new ProcessCommandRunner(List.of(), Duration.ofSeconds(30), 1024 * 1024);

    private final RequestHandler handler = new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false);
    private String hostBefore;
    NetnsPair pair;
    private Node node;
    private String unrelatedBefore;

    /** {@code provider} and provider settings; the command prefix is added. */
    abstract Map<String, Object> settings();

    /** Fails (under CI) or skips unless the provider's tools are installed and usable. */
    abstract void requireTools() throws Exception;

    /** The host's firewall, to compare before and after: whatever this provider's tools could change. */
    abstract String hostRuleset() throws IOException;

    /** Rules of someone else in the node, including ones that accept the load balancer before Drover's drops. */
    abstract void addUnrelatedRules() throws IOException;

    /** The node's firewall without Drover's own chain or table. */
    abstract String unrelatedRuleset() throws IOException;

    /** Removes what hooks Drover's entries into the input path, as a firewall reload would, keeping the entries. */
    abstract void unhook() throws IOException;

    /** The node's whole ruleset as its save or list tool prints it, for byte-for-byte comparison (no timestamps, no counters). */
    abstract String nodeRuleset() throws IOException;

    @BeforeAll
    void checkToolsAndRememberTheHostFirewall() throws Exception {
        RealTools.requireRoot();
        RealTools.require("ip", "iproute2");
        requireTools();
        hostBefore = hostRuleset();
    }

    @AfterAll
    void theHostFirewallIsUnchanged() throws IOException {
        if (hostBefore != null) {
            assertEquals(hostBefore, hostRuleset(), "the host's own firewall changed: only the node namespace may");
        }
    }

    @BeforeEach
    void buildTheNamespaces() throws IOException {
        pair = new NetnsPair();
        addUnrelatedRules();
        unrelatedBefore = unrelatedRuleset();
        Map<String, Object> settings = new HashMap<>(settings());
        settings.put("command_prefix", pair.nodePrefix());
        node = Node.build(new NodeSpec("node.test", List.of("drover"), Set.of(), Map.of(), Map.of("firewall", settings)),
                Plugins.installed());
    }

    @AfterEach
    void removeTheNamespaces() throws IOException {
        if (pair != null) {
            pair.close();
            assertEquals(List.of(), pair.leftovers(), "namespaces left behind");
        }
    }

    @Test
    void ipv4() throws IOException {
        lifecycle(pair.lbIpv4(), pair.lbIpv4(), pair.nodeIpv4());
    }

    @Test
    void ipv6() throws IOException {
        // a long spelling: what reaches the firewall, and comes back, is the canonical one
        String lb = pair.lbIpv6();
        String spelling = lb.replace("::", ":0:0:0:0:").toUpperCase();
        lifecycle(lb, spelling, pair.nodeIpv6());
    }

    private void lifecycle(String lb, String spelling, String nodeAddress) throws IOException {
        assertConnects(nodeAddress);

        Reply block = ok(call("block", spelling));
        assertTrue(block.changed(), block.message());
        assertEquals("blocked " + lb, block.message());
        assertDropped(nodeAddress);
        assertEquals(true, ok(call("is_blocked", lb)).get("blocked"));
        assertEquals(List.of(lb), ok(call("list_blocked", null)).get("blocked"));

        Reply again = ok(call("block", lb));
        assertFalse(again.changed(), again.message());
        assertEquals(lb + " was already blocked", again.message());
        assertDropped(nodeAddress);
        assertEquals(unrelatedBefore, unrelatedRuleset(), "rules Drover did not make changed");

        Reply unblock = ok(call("unblock", spelling));
        assertTrue(unblock.changed(), unblock.message());
        assertConnects(nodeAddress);
        assertEquals(false, ok(call("is_blocked", lb)).get("blocked"));
        assertEquals(List.of(), ok(call("list_blocked", null)).get("blocked"));

        Reply unblockAgain = ok(call("unblock", lb));
        assertFalse(unblockAgain.changed(), unblockAgain.message());
        assertEquals(lb + " was not blocked", unblockAgain.message());
        assertConnects(nodeAddress);
        assertEquals(unrelatedBefore, unrelatedRuleset(), "rules Drover did not make changed");
    }

    /** The provider the node under test was built with, from {@link #settings()}. */
    FirewallProvider firewall() {
        return node.plugin("firewall", FirewallAgent.class).firewall();
    }

    @Test
    void networks() throws Exception {
        FirewallProvider firewall = firewall();
        IpAddress net4 = IpAddress.parse(pair.lbIpv4() + "/24");
        IpAddress net6 = IpAddress.parse(pair.lbIpv6() + "/64");
        assertTrue(firewall.block(net4));
        assertTrue(firewall.block(net6));
        assertDropped(pair.nodeIpv4());
        assertDropped(pair.nodeIpv6());
        assertEquals(List.of(net4.toString(), net6.toString()), firewall.listBlocked());
        assertTrue(firewall.isBlocked(net4));
        assertFalse(firewall.isBlocked(IpAddress.parse(pair.lbIpv4())), "an entry is blocked, not each address it covers");
        assertFalse(firewall.unblock(IpAddress.parse(pair.lbIpv6())), "unblocking one address leaves the network");
        assertDropped(pair.nodeIpv6());

        assertTrue(firewall.unblock(net4));
        assertTrue(firewall.unblock(net6));
        assertConnects(pair.nodeIpv4());
        assertConnects(pair.nodeIpv6());
        assertEquals(List.of(), firewall.listBlocked());
        assertEquals(unrelatedBefore, unrelatedRuleset(), "rules Drover did not make changed");
    }

    @Test
    void theNextActionHooksDroversEntriesInAgainAfterAReload() throws IOException {
        ok(call("block", pair.lbIpv4()));
        ok(call("block", pair.lbIpv6()));
        unhook();
        assertConnects(pair.nodeIpv4());

        assertEquals(true, ok(call("is_blocked", pair.lbIpv4())).get("blocked"));
        assertDropped(pair.nodeIpv4());
        assertEquals(List.of(pair.lbIpv4(), pair.lbIpv6()), ok(call("list_blocked", null)).get("blocked"));
        assertDropped(pair.nodeIpv6());
        assertEquals(unrelatedBefore, unrelatedRuleset(), "rules Drover did not make changed");
    }

    @Test
    void hostileAddressesStartNothing() throws IOException {
        ok(call("block", pair.lbIpv4()));
        for (String address : FirewallInjectionTest.HOSTILE) {
            for (String action : List.of("block", "unblock", "is_blocked")) {
                long before = ProcessCommandRunner.startedProcesses();
                Reply reply = call(action, address);
                assertEquals(Status.INVALID_DATA, reply.status(), action + " " + address + ": " + reply.message());
                assertEquals(before, ProcessCommandRunner.startedProcesses(), action + " " + address + " started a process");
            }
        }
        assertEquals(List.of(pair.lbIpv4()), ok(call("list_blocked", null)).get("blocked"));
        assertDropped(pair.nodeIpv4());
        assertEquals(unrelatedBefore, unrelatedRuleset(), "rules Drover did not make changed");
    }

    @Test
    void dryRunsOfTheSeedChangeNothingAndPredictTheRealRun() throws IOException {
        String lb = pair.lbIpv4();
        // Before Drover ever touched the node: a real is_blocked would put Drover's chain or table in place; a dry one may not.
        String untouched = nodeRuleset();
        Reply wouldBlock = ok(dryRun("block", lb));
        assertEquals("would block " + lb, wouldBlock.message());
        assertTrue(wouldBlock.dryRun() && wouldBlock.wouldChange() && !wouldBlock.changed(), wouldBlock.data().toString());
        assertEquals(false, ok(dryRun("is_blocked", lb)).get("blocked"));
        assertEquals(List.of(), ok(dryRun("list_blocked", null)).get("blocked"));
        assertEquals(lb + " is not blocked, nothing to do", ok(dryRun("unblock", lb)).message());
        assertEquals(untouched, nodeRuleset(), "a dry run changed the node's ruleset");
        assertConnects(pair.nodeIpv4());

        Reply block = ok(call("block", lb));
        assertEquals(wouldBlock.wouldChange(), block.changed(), "the real block did what the dry run predicted");
        assertEquals(wouldBlock.get("blocked"), block.get("blocked"));
        assertEquals(wouldBlock.get("address"), block.get("address"));
        String blocked = nodeRuleset();
        Reply wouldUnblock = ok(dryRun("unblock", lb));
        assertEquals("would unblock " + lb, wouldUnblock.message());
        assertTrue(wouldUnblock.wouldChange());
        assertEquals(lb + " is already blocked, nothing to do", ok(dryRun("block", lb)).message());
        assertEquals(true, ok(dryRun("is_blocked", lb)).get("blocked"));
        assertEquals(List.of(lb), ok(dryRun("list_blocked", null)).get("blocked"));
        assertEquals(blocked, nodeRuleset(), "a dry run changed the node's ruleset");
        assertDropped(pair.nodeIpv4());

        Reply unblock = ok(call("unblock", lb));
        assertEquals(wouldUnblock.wouldChange(), unblock.changed());
        assertEquals(wouldUnblock.get("blocked"), unblock.get("blocked"));
        assertConnects(pair.nodeIpv4());
        assertEquals(unrelatedBefore, unrelatedRuleset(), "rules Drover did not make changed");
    }

    private Reply call(String action, String address) {
        return handler.handle(node, request(action, address, false)).orElseThrow();
    }

    private Reply dryRun(String action, String address) {
        return handler.handle(node, request(action, address, true)).orElseThrow();
    }

    private static Request request(String action, String address, boolean dryRun) {
        Map<String, Object> params = address == null ? Map.of() : Map.of("address", address);
        return new Request(Request.newId(), "drover", "firewall", action, params, null, null, "alice",
                System.currentTimeMillis(), 60, dryRun, null);
    }

    private static Reply ok(Reply reply) {
        assertEquals(Status.OK, reply.status(), reply.action() + ": " + reply.message());
        return reply;
    }

    /**
     * Connects, allowing "No route to host" for a few seconds: while an IPv6 address is blocked, the node also
     * drops its neighbour solicitations, so the load balancer may hold a FAILED neighbour entry for the node
     * until it probes again. That is IPv6 recovering, not the firewall.
     */
    private void assertConnects(String address) throws IOException {
        long deadline = System.nanoTime() + CONNECTS.toNanos();
        String outcome = pair.connect(address, CONNECTS);
        while (outcome.contains("NoRouteToHost") && System.nanoTime() < deadline) {
            sleep(200);
            outcome = pair.connect(address, CONNECTS);
        }
        assertEquals("connected drover", outcome, "from the load balancer to " + address);
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }

    /** A dropped SYN times out; "refused" would mean the listener is gone, not that the firewall works. */
    private void assertDropped(String address) throws IOException {
        assertEquals("timeout", pair.connect(address, DROPPED), "from the load balancer to " + address);
    }

    /** The output of commands run on the host, each under its command line; a command that fails is noted. */
    static String outputs(List<List<String>> commands) throws IOException {
        StringBuilder out = new StringBuilder();
        for (List<String> command : commands) {
            try {
                var result = HOST.run(Command.of(command));
                out.append("$ ").append(String.join(" ", command)).append(" (exit ").append(result.exitCode()).append(")\n")
                        .append(result.stdout());
            } catch (io.drover.agent.plugin.ActionFailedException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return out.toString();
    }

    /** Runs a command in the node namespace; fails unless it exits 0. */
    String inNode(String... args) throws IOException {
        return NetnsPair.inside(pair.node(), args).stdout();
    }
}
