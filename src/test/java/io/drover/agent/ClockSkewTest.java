package io.drover.agent;

import io.drover.agents.firewall.FirewallAgent;
import io.drover.catalog.IpAddress;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.security.KeyFiles;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestSigner;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose clock is off from the caller's by up to {@code clock_skew}, either way, answers discovery (a
 * ping with a 2 s TTL) and runs actions; beyond it, a signed request from a trusted caller is answered with a
 * refusal that says how far off the clock is, so the runner can name the host.
 */
class ClockSkewTest {
    /** The caller's clock when it creates every request of these tests. */
    private static final long CALLER_NOW = 1_700_000_000_000L;
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final String IDENTITY = "web01.de.example.com";
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final KeyPair ALICE = KeyFiles.generate();
    private static final RequestSigner SIGNER = new RequestSigner("alice", ALICE.getPrivate());

    private final Node node = Node.build(new NodeSpec(IDENTITY, List.of("drover"), Set.of("roles::dev_server"),
            Map.of("country", "de"), Map.of("firewall", Map.of("provider", "sandbox"))), Plugins.installed());

    /** A handler on a node whose clock is {@code offset} ahead of the caller's (negative: behind). */
    private static RequestHandler nodeWithClockOff(Duration offset) {
        Clock clock = Clock.offset(Clock.fixed(Instant.ofEpochMilli(CALLER_NOW), ZoneOffset.UTC), offset);
        RequestSecurity security = new RequestSecurity(new RequestVerifier(TrustedKeys.of(Map.of("alice", ALICE.getPublic()))),
                null, null, null);
        return new RequestHandler(clock, SKEW, 3600, false, security);
    }

    /** Discovery's ping as the client sends it: a signed broadcast with a 2 s TTL and a filter. */
    private static Request discoveryPing() {
        return SIGNER.sign(new Request(String.format("skew-%08d", IDS.incrementAndGet()), "drover", "rpcutil", "ping", Map.of(),
                "country=de", null, "alice", CALLER_NOW, 2, null));
    }

    private static Request block(String address, int ttl) {
        return SIGNER.sign(new Request(String.format("skew-%08d", IDS.incrementAndGet()), "drover", "firewall", "block",
                Map.of("address", address), null, List.of(IDENTITY), "alice", CALLER_NOW, ttl, null));
    }

    private boolean blocked(String address) throws Exception {
        return node.plugin("firewall", FirewallAgent.class).firewall().isBlocked(IpAddress.parse(address));
    }

    private static Reply answer(RequestHandler handler, Node node, Request request) {
        Optional<Reply> reply = handler.handle(node, request);
        assertTrue(reply.isPresent(), "the node must answer " + request.qualifiedAction() + ", not stay silent");
        return reply.get();
    }

    @Test
    void aNodeThreeSecondsAheadAnswersDiscoveryAndRunsActions() throws Exception {
        assertAnswersAndRuns(Duration.ofSeconds(3));
    }

    @Test
    void aNodeTwentyFiveSecondsAheadAnswersDiscoveryAndRunsActions() throws Exception {
        assertAnswersAndRuns(Duration.ofSeconds(25));
    }

    @Test
    void aNodeTwentyFiveSecondsBehindAnswersDiscoveryAndRunsActions() throws Exception {
        assertAnswersAndRuns(Duration.ofSeconds(-25));
    }

    /** An action's TTL is its step's timeout (60 s by default): a node whose clock is off by less runs it. */
    private void assertAnswersAndRuns(Duration offset) throws Exception {
        RequestHandler handler = nodeWithClockOff(offset);
        Reply pong = answer(handler, node, discoveryPing());
        assertEquals(Status.OK, pong.status(), pong.message());
        Reply blocked = answer(handler, node, block("192.0.2.7", 60));
        assertEquals(Status.OK, blocked.status(), blocked.message());
        assertTrue(blocked("192.0.2.7"));
    }

    @Test
    void aNodeAheadByMoreThanAnActionsTtlAnswersDiscoveryButNeverChangesTheHostLate() throws Exception {
        RequestHandler handler = nodeWithClockOff(Duration.ofSeconds(3));
        assertEquals(Status.OK, answer(handler, node, discoveryPing()).status(), "read-only: the skew allowance applies");
        // By this node's clock the block's 2 s are over: its caller may have given up, so it must not run.
        Reply late = answer(handler, node, block("192.0.2.9", 2));
        assertEquals(Status.ABORTED, late.status(), late.message());
        assertTrue(late.message().contains("expired"), late.message());
        assertFalse(blocked("192.0.2.9"));
    }

    @Test
    void aReplayInsideTheWidenedWindowIsStillRefused() throws Exception {
        RequestHandler handler = nodeWithClockOff(Duration.ofSeconds(25));
        Request ping = discoveryPing();
        assertEquals(Status.OK, answer(handler, node, ping).status());
        Reply replay = answer(handler, node, ping);
        assertEquals(Status.ABORTED, replay.status());
        assertTrue(replay.message().contains("replays are refused"), replay.message());
    }

    @Test
    void aNodeAheadBeyondTheSkewRefusesDiscoveryOutLoudSayingHowFarOffItsClockIs() throws Exception {
        RequestHandler handler = nodeWithClockOff(Duration.ofSeconds(40));
        Reply refusal = answer(handler, node, discoveryPing());
        assertEquals(Status.ABORTED, refusal.status());
        assertTrue(refusal.message().startsWith("refused: request expired 8.0 s ago (created 40.0 s ago by this node's clock; "
                + "ttl 2 s plus the allowed clock skew of 30 s)"), refusal.message());
        assertTrue(refusal.message().contains("synchronise the clocks"), refusal.message());
        // An action's TTL is the step timeout: 40 s ahead is still inside 60 s + skew, so take a short one.
        Reply block = answer(handler, node, block("192.0.2.8", 5));
        assertEquals(Status.ABORTED, block.status());
        assertFalse(blocked("192.0.2.8"), "nothing runs outside the window");
    }

    @Test
    void aNodeBehindBeyondTheSkewRefusesDiscoveryOutLoudSayingHowFarOffItsClockIs() throws Exception {
        RequestHandler handler = nodeWithClockOff(Duration.ofSeconds(-40));
        Reply refusal = answer(handler, node, discoveryPing());
        assertEquals(Status.ABORTED, refusal.status());
        assertTrue(refusal.message().startsWith("refused: request created 40.0 s in the future by this node's clock, more than "
                + "the allowed clock skew of 30 s: this node's clock is about 40.0 s behind the caller's"), refusal.message());
        Reply block = answer(handler, node, block("192.0.2.9", 60));
        assertEquals(Status.ABORTED, block.status());
        assertFalse(blocked("192.0.2.9"), "nothing runs outside the window");
    }

    @Test
    void aForgedPingStaysSilentWhateverTheClock() {
        // Broadcast refusals for bad signatures are silent by design: a forged broadcast cannot make every node answer.
        Request ping = discoveryPing();
        Request forged = new Request(ping.id(), ping.collective(), ping.agent(), ping.action(), ping.params(), ping.filter(),
                ping.targets(), ping.caller(), ping.created() + 1, ping.ttl(), ping.signature());
        assertTrue(nodeWithClockOff(Duration.ofSeconds(40)).handle(node, forged).isEmpty());
    }
}
