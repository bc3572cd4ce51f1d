package io.drover.agent;

import io.drover.agent.plugin.PluginFactory;
import io.drover.agents.firewall.FirewallAgent;
import io.drover.agents.firewall.FirewallProvider;
import io.drover.agents.rpcutil.RpcutilAgent;
import io.drover.agents.service.ServiceAgent;
import io.drover.catalog.Catalogs;
import io.drover.catalog.InvalidInputException;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.security.AuditLog;
import io.drover.security.Policy;
import io.drover.security.RequestSecurity;
import io.drover.testing.TestPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RequestHandlerTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final String IDENTITY = "web01.de.example.com";
    private static final AtomicInteger IDS = new AtomicInteger();

    private final Node node = Node.build(new NodeSpec(IDENTITY, List.of("drover"), Set.of("roles::dev_server", "base"),
            Map.of("country", "de", "os", Map.of("family", "RedHat")),
            Map.of("firewall", Map.of("provider", "sandbox"),
                    "service", Map.of("provider", "sandbox", "services", Map.of("httpd", "running")),
                    "nrpe", Map.of("provider", "sandbox", "commands", Map.of(
                            "check_slow", Map.of("output", "SLOW OK", "delay_ms", 100),
                            "check_disk", Map.of("exit", 2, "output", "DISK CRITICAL - / is full|/=100%"))))),
            Plugins.installed());
    private final RequestHandler handler = new RequestHandler(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC),
            Duration.ofSeconds(30), 3600, false);

    private static String newId() {
        return "test-" + String.format("%08d", IDS.incrementAndGet());
    }

    private static Request broadcast(String agent, String action, Map<String, Object> params, String filter) {
        return new Request(newId(), "drover", agent, action, params, filter, null, "alice", NOW, 60, null);
    }

    private static Request directed(String agent, String action, Map<String, Object> params, String filter, String target) {
        return new Request(newId(), "drover", agent, action, params, filter, List.of(target), "alice", NOW, 60, null);
    }

    private Reply reply(Request request) {
        Optional<Reply> reply = handler.handle(node, request);
        assertTrue(reply.isPresent(), "expected a reply to " + request.qualifiedAction());
        return reply.get();
    }

    private FirewallProvider firewall() {
        return node.plugin("firewall", FirewallAgent.class).firewall();
    }

    private long httpdPid() throws Exception {
        return node.plugin("service", ServiceAgent.class).services().status("httpd").pid();
    }

    @Test
    void broadcastNotMatchingTheFilterGetsSilence() throws Exception {
        assertEquals(Optional.empty(), handler.handle(node,
                broadcast("firewall", "block", Map.of("address", "192.0.2.1"), "country == fr")));
        assertEquals(List.of(), firewall().listBlocked());
    }

    @Test
    void broadcastForAnotherCollectiveGetsSilence() {
        Request request = new Request(newId(), "other", "rpcutil", "ping", Map.of(), null, null, "alice", NOW, 60, null);
        assertEquals(Optional.empty(), handler.handle(node, request));
    }

    @Test
    void matchingBroadcastRuns() throws Exception {
        Request request = broadcast("firewall", "block", Map.of("address", "192.0.2.1"),
                "class(roles::dev_server) and country == de and agent(firewall)");
        Reply reply = reply(request);
        assertEquals(Status.OK, reply.status(), reply.message());
        assertEquals(request.id(), reply.requestId());
        assertEquals(IDENTITY, reply.sender());
        assertEquals("firewall", reply.agent());
        assertEquals("block", reply.action());
        assertTrue(reply.changed());
        assertEquals("blocked 192.0.2.1", reply.message());
        assertTrue(reply.elapsedMs() >= 0);
        assertEquals(List.of("192.0.2.1"), firewall().listBlocked());
    }

    @Test
    void broadcastWithoutFilterRuns() {
        Reply reply = reply(broadcast("rpcutil", "ping", Map.of(), null));
        assertEquals(Status.OK, reply.status());
        assertEquals("pong", reply.message());
    }

    @Test
    void elapsedTimeIsMeasured() {
        Reply reply = reply(broadcast("nrpe", "run_command", Map.of("command", "check_slow"), null));
        assertEquals(Status.OK, reply.status(), reply.message());
        assertTrue(reply.elapsedMs() >= 90, "the check sleeps 100 ms; elapsed " + reply.elapsedMs());
    }

    @Test
    void directedAtAnotherNodeGetsSilence() throws Exception {
        assertEquals(Optional.empty(), handler.handle(node,
                directed("firewall", "block", Map.of("address", "192.0.2.1"), null, "web02.de.example.com")));
        assertEquals(List.of(), firewall().listBlocked());
    }

    @Test
    void directedAtThisNodeRuns() throws Exception {
        Reply reply = reply(directed("firewall", "block", Map.of("address", "192.0.2.1"), "country == de", IDENTITY));
        assertEquals(Status.OK, reply.status(), reply.message());
        assertEquals(List.of("192.0.2.1"), firewall().listBlocked());
    }

    @Test
    void directedWithANonMatchingFilterIsRefused() throws Exception {
        Reply reply = reply(directed("firewall", "block", Map.of("address", "192.0.2.1"), "country == fr", IDENTITY));
        assertEquals(Status.ABORTED, reply.status());
        assertEquals("refused: this node does not match the request filter", reply.message());
        assertEquals(List.of(), firewall().listBlocked());
    }

    /** A handler whose policy allows alice nothing but rpcutil.ping on nodes with country=fr. */
    private RequestHandler withPolicyDenyingAlice(@TempDir Path dir) throws Exception {
        Policy policy = Policy.load(Files.writeString(dir.resolve("policy.yaml"),
                "rules:\n  - {caller: alice, agent: rpcutil, actions: [ping], nodes: \"country=fr\"}\n"));
        return new RequestHandler(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), Duration.ofSeconds(30), 3600, false,
                new RequestSecurity(null, policy, AuditLog.none(), null));
    }

    @Test
    void directedRequestIsJudgedByThePolicyBeforeItsFilterIsEvaluated(@TempDir Path dir) throws Exception {
        // A caller the policy denies must not get to make the node parse and run its filter (issue 10).
        RequestHandler guarded = withPolicyDenyingAlice(dir);
        for (String filter : List.of("country == ", "country =~ /^" + "(".repeat(200) + "(.|..)" + ")".repeat(200) + "*$/")) {
            Reply reply = guarded.handle(node, directed("firewall", "block", Map.of("address", "192.0.2.1"), filter, IDENTITY))
                    .orElseThrow();
            assertEquals(Status.ABORTED, reply.status(), reply.message());
            assertTrue(reply.message().startsWith("denied: "), reply.message());
        }
        assertEquals(List.of(), firewall().listBlocked());
    }

    @Test
    void broadcastStillGetsSilenceFromNodesItsFilterDoesNotMatch(@TempDir Path dir) throws Exception {
        // Policy first would make every node answer "denied" to a broadcast: the filter decides silence first.
        RequestHandler guarded = withPolicyDenyingAlice(dir);
        assertTrue(guarded.handle(node, broadcast("firewall", "block", Map.of("address", "192.0.2.1"), "country == fr")).isEmpty());
        Reply denied = guarded.handle(node, broadcast("firewall", "block", Map.of("address", "192.0.2.1"), "country == de"))
                .orElseThrow();
        assertTrue(denied.message().startsWith("denied: "), denied.message());
    }

    @Test
    void requestsThePolicyDeniesAreNotRemembered(@TempDir Path dir) throws Exception {
        // Issue 10: ids were remembered before the policy check, so a denied caller could fill the store for everyone.
        RequestHandler guarded = withPolicyDenyingAlice(dir);
        for (int i = 0; i < 50; i++) {
            assertTrue(guarded.handle(node, directed("firewall", "block", Map.of("address", "192.0.2.1"), null, IDENTITY))
                    .orElseThrow().message().startsWith("denied: "));
            assertTrue(guarded.handle(node, broadcast("firewall", "block", Map.of("address", "192.0.2.1"), null))
                    .orElseThrow().message().startsWith("denied: "));
        }
        assertEquals(0, node.replayGuard().size());
    }

    @Test
    void aChangeCreatedBeforeTheNodeBeganServingIsRefusedAndNothingRuns() throws Exception {
        handler.serving(node, "drover");
        Request old = new Request(newId(), "drover", "firewall", "block", Map.of("address", "192.0.2.1"), null, List.of(IDENTITY),
                "alice", NOW - 1, 60, null);
        Reply reply = reply(old);
        assertEquals(Status.ABORTED, reply.status());
        assertTrue(reply.message().startsWith("refused: request created 0.0 s before this node began serving"), reply.message());
        assertEquals(List.of(), firewall().listBlocked());
        // A read-only action keeps the clock-skew allowance: a node whose clock is ahead answers right after it connects.
        Request ping = new Request(newId(), "drover", "rpcutil", "ping", Map.of(), null, List.of(IDENTITY), "alice", NOW - 20_000, 60,
                null);
        assertEquals(Status.OK, reply(ping).status());
        assertEquals(Status.OK, reply(directed("firewall", "block", Map.of("address", "192.0.2.1"), null, IDENTITY)).status());
    }

    @Test
    void invalidFilterIsInvalidData() {
        Reply reply = reply(broadcast("rpcutil", "ping", Map.of(), "country == "));
        assertEquals(Status.INVALID_DATA, reply.status());
        assertTrue(reply.message().startsWith("invalid filter: "), reply.message());
        assertTrue(reply.message().contains(" at position "), reply.message());
    }

    @Test
    void unknownAgentIsUnknownAction() {
        Reply reply = reply(broadcast("package", "install", Map.of("package", "mywebapp"), null));
        assertEquals(Status.UNKNOWN_ACTION, reply.status());
        assertTrue(reply.message().startsWith("agent package is not enabled on this node (enabled: rpcutil, "), reply.message());
        for (String enabled : List.of("firewall", "service", "nrpe")) {
            assertTrue(reply.message().contains(enabled), reply.message());
        }
    }

    @Test
    void unknownActionIsUnknownAction() {
        Reply reply = reply(broadcast("firewall", "flush", Map.of(), null));
        assertEquals(Status.UNKNOWN_ACTION, reply.status());
        assertEquals("agent firewall has no action flush (actions: block, unblock, is_blocked, list_blocked)", reply.message());
    }

    @Test
    void missingInputIsMissingData() {
        Reply reply = reply(broadcast("firewall", "block", Map.of(), null));
        assertEquals(Status.MISSING_DATA, reply.status());
        assertTrue(reply.message().startsWith("Missing required input 'address' for firewall.block"), reply.message());
    }

    @Test
    void invalidInputIsInvalidDataAndChangesNothing() throws Exception {
        Reply reply = reply(broadcast("firewall", "block", Map.of("address", "192.0.2.1; iptables -F"), null));
        assertEquals(Status.INVALID_DATA, reply.status());
        assertTrue(reply.message().startsWith("Input 'address' of firewall.block"), reply.message());
        assertEquals(List.of(), firewall().listBlocked());

        Reply unknown = reply(broadcast("firewall", "block", Map.of("address", "192.0.2.1", "force", true), null));
        assertEquals(Status.INVALID_DATA, unknown.status());
        assertEquals(List.of(), firewall().listBlocked());
    }

    static Stream<Arguments> badCalls() {
        return Stream.of(
                Arguments.of("firewall", "flush", Map.of()),
                Arguments.of("firewall", "block", Map.of()),
                Arguments.of("firewall", "block", Map.of("address", "192.0.2.1; iptables -F")),
                Arguments.of("firewall", "block", Map.of("address", "300.1.1.1")),
                Arguments.of("firewall", "block", Map.of("address", 42)),
                Arguments.of("firewall", "block", Map.of("address", "192.0.2.1", "force", true)),
                Arguments.of("service", "start", Map.of("service", "-httpd")),
                Arguments.of("service", "restart", Map.of("service", "httpd\nreboot")),
                Arguments.of("nrpe", "run_command", Map.of("command", "check load")),
                Arguments.of("rpcutil", "ping", Map.of("x", 1)),
                Arguments.of("rpcutil", "get_fact", Map.of()));
    }

    /** The runner refuses with the catalog before sending; its words must be exactly what the node replies. */
    @ParameterizedTest(name = "{0}.{1} {2}")
    @MethodSource("badCalls")
    void theRunnerRefusesBadInputWithTheNodesOwnWords(String agent, String action, Map<String, Object> params) {
        Reply reply = reply(broadcast(agent, action, params, null));
        InvalidInputException refused = assertThrows(InvalidInputException.class, () -> Catalogs.validate(agent, action, params));
        assertEquals(reply.message(), refused.getMessage());
        assertEquals(reply.status(), refused.status());
    }

    @Test
    void aCheckOnlyTheNodeCanMakeIsLeftToTheNode() {
        Map<String, Object> undefined = Map.of("command", "check_users");
        Catalogs.validate("nrpe", "run_command", undefined);
        Reply reply = reply(broadcast("nrpe", "run_command", undefined, null));
        assertEquals(Status.INVALID_DATA, reply.status());
        assertTrue(reply.message().contains("no check of that name is defined on this node"), reply.message());
    }

    @Test
    void expiredRequestIsRefusedAndNotRun() throws Exception {
        Request expired = new Request(newId(), "drover", "firewall", "block", Map.of("address", "192.0.2.1"), null, null,
                "alice", NOW - 120_000, 60, null);
        Reply reply = reply(expired);
        assertEquals(Status.ABORTED, reply.status());
        assertTrue(reply.message().startsWith("refused: request expired"), reply.message());
        assertEquals(List.of(), firewall().listBlocked());
    }

    @Test
    void requestFromTheFarFutureIsRefusedAndNotRun() throws Exception {
        Request future = new Request(newId(), "drover", "firewall", "block", Map.of("address", "192.0.2.1"), null, null,
                "alice", NOW + 120_000, 60, null);
        Reply reply = reply(future);
        assertEquals(Status.ABORTED, reply.status());
        assertTrue(reply.message().startsWith("refused: request created 120.0 s in the future"), reply.message());
        assertEquals(List.of(), firewall().listBlocked());
    }

    @Test
    void replayIsRefusedAndNotRunTwice() throws Exception {
        Request restart = broadcast("service", "restart", Map.of("service", "httpd"), null);
        Reply first = reply(restart);
        assertEquals(Status.OK, first.status(), first.message());
        long pidAfterFirst = httpdPid();
        assertEquals(pidAfterFirst, first.get("pid"));

        Reply replay = reply(restart);
        assertEquals(Status.ABORTED, replay.status());
        assertTrue(replay.message().startsWith("refused: request id " + restart.id()), replay.message());
        assertTrue(replay.message().contains("replays are refused"), replay.message());
        assertEquals(pidAfterFirst, httpdPid(), "the replayed restart must not run");
    }

    @Test
    void ttlLongerThanTheNodeAcceptsIsInvalidData() throws Exception {
        Request request = new Request(newId(), "drover", "firewall", "block", Map.of("address", "192.0.2.1"), null, null,
                "alice", NOW, 3601, null);
        Reply reply = reply(request);
        assertEquals(Status.INVALID_DATA, reply.status());
        assertEquals("ttl 3601 s is longer than this node accepts (3600 s)", reply.message());
        assertEquals(List.of(), firewall().listBlocked());
    }

    @Test
    void actionFailureIsAbortedWithItsData() {
        Reply reply = reply(broadcast("nrpe", "run_command", Map.of("command", "check_disk"), null));
        assertEquals(Status.ABORTED, reply.status());
        assertEquals("CRITICAL: DISK CRITICAL - / is full", reply.message());
        assertEquals("CRITICAL", reply.get("state"));
        assertEquals(2, reply.get("exitcode"));
        assertEquals("/=100%", reply.get("perfdata"));
    }

    @Test
    void unknownServiceIsAborted() {
        Reply reply = reply(broadcast("service", "start", Map.of("service", "nosuchd"), null));
        assertEquals(Status.ABORTED, reply.status());
        assertEquals("Unit nosuchd.service could not be found.", reply.message());
    }

    @Test
    void exceptionInAHandlerIsUnknownErrorAndReleasesThePluginLock() {
        PluginFactory boom = TestPlugin.named("boom", "always fails").action("explode", inputs -> {
            throw new IllegalStateException("kaboom");
        }).factory();
        Node failing = Node.build(new NodeSpec("boom01", List.of("drover"), Set.of(), Map.of(), Map.of("boom", Map.of())),
                new Plugins(List.of(new RpcutilAgent.Factory(), boom)));
        Reply reply = handler.handle(failing, broadcast("boom", "explode", Map.of(), null)).orElseThrow();
        assertEquals(Status.UNKNOWN_ERROR, reply.status());
        assertEquals("internal error in boom.explode: java.lang.IllegalStateException: kaboom", reply.message());
        assertEquals("boom01", reply.sender());
        assertFalse(failing.lockFor("boom").isLocked(), "the plugin lock is released after an exception");
    }

    @Test
    void rpcutilIsAlwaysEnabled() {
        assertEquals(Set.of("rpcutil", "firewall", "service", "nrpe"), node.agents());
        Reply reply = reply(broadcast("rpcutil", "get_fact", Map.of("fact", "os.family"), null));
        assertEquals(Status.OK, reply.status());
        assertEquals("RedHat", reply.get("value"));
    }

    @Test
    void eachRequestIdIsHandledOnceEvenWhenRefusedForInput() {
        Request bad = broadcast("firewall", "block", Map.of("address", "not-an-address"), null);
        assertEquals(Status.INVALID_DATA, reply(bad).status());
        Reply again = reply(bad);
        assertEquals(Status.ABORTED, again.status());
        assertNotEquals(Status.INVALID_DATA, again.status());
    }

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private final AtomicLong millis = new AtomicLong(NOW);

        void advance(Duration by) {
            millis.addAndGet(by.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }

    /** Records entries; fails (as a full disk would) on those {@code failOn} picks. */
    private static final class RecordingAudit implements AuditLog {
        final List<Entry> entries = Collections.synchronizedList(new ArrayList<>());
        volatile Predicate<Entry> failOn = entry -> false;

        @Override
        public void record(Entry entry) {
            if (failOn.test(entry)) {
                sneakyThrow(new IOException("No space left on device"));
            }
            entries.add(entry);
        }

        List<String> verdicts(Request request) {
            synchronized (entries) {
                return entries.stream().filter(e -> e.requestId().equals(request.id())).map(Entry::verdict).toList();
            }
        }

        @SuppressWarnings("unchecked")
        private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
            throw (T) t;
        }
    }

    private static RequestHandler auditing(Clock clock, AuditLog audit) {
        return new RequestHandler(clock, Duration.ofSeconds(30), 3600, false, new RequestSecurity(null, null, audit, null));
    }

    private static Request block(String address, int ttl) {
        return new Request(newId(), "drover", "firewall", "block", Map.of("address", address), null, List.of(IDENTITY), "alice",
                NOW, ttl, null);
    }

    private static void awaitWaiter(ReentrantLock lock) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!lock.hasQueuedThreads()) {
            if (System.nanoTime() > deadline) {
                fail("the request never waited for the plugin lock");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void requestThatExpiresWhileWaitingForThePluginLockIsRefusedAndNotRun() throws Exception {
        ManualClock clock = new ManualClock();
        RecordingAudit audit = new RecordingAudit();
        RequestHandler deadlines = auditing(clock, audit);
        Request request = block("192.0.2.7", 3);
        ReentrantLock lock = node.lockFor("firewall");
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            lock.lock();
            Future<Optional<Reply>> pending;
            try {
                pending = worker.submit(() -> deadlines.handle(node, request));
                awaitWaiter(lock);
                clock.advance(Duration.ofSeconds(6));
            } finally {
                lock.unlock();
            }
            Reply reply = pending.get(30, TimeUnit.SECONDS).orElseThrow();
            assertEquals(Status.ABORTED, reply.status(), reply.message());
            assertTrue(reply.message().startsWith("refused: expired while waiting for the firewall lock (waited "), reply.message());
            assertTrue(reply.message().endsWith("; ttl 3 s)"), reply.message());
            assertEquals(List.of(), firewall().listBlocked(), "the expired block must not run");
            assertEquals(List.of("refused"), audit.verdicts(request));
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void waitForThePluginLockIsBoundedByTheRequestsValidity() throws Exception {
        RecordingAudit audit = new RecordingAudit();
        RequestHandler deadlines = auditing(Clock.systemUTC(), audit);
        Request request = new Request(newId(), "drover", "firewall", "block", Map.of("address", "192.0.2.8"), null,
                List.of(IDENTITY), "alice", System.currentTimeMillis(), 1, null);
        ReentrantLock lock = node.lockFor("firewall");
        ExecutorService worker = Executors.newSingleThreadExecutor();
        lock.lock();
        try {
            Future<Optional<Reply>> pending = worker.submit(() -> deadlines.handle(node, request));
            // The lock stays held throughout: the request must give up on its own once its ttl has passed.
            Reply reply = pending.get(30, TimeUnit.SECONDS).orElseThrow();
            assertEquals(Status.ABORTED, reply.status(), reply.message());
            assertTrue(reply.message().startsWith("refused: expired while waiting for the firewall lock (waited "), reply.message());
            assertEquals(List.of("refused"), audit.verdicts(request));
        } finally {
            lock.unlock();
            worker.shutdownNow();
        }
        assertEquals(List.of(), firewall().listBlocked(), "the expired block must not run once the lock is free");
    }

    @Test
    void requestValidAfterTheLockWaitRuns() throws Exception {
        ManualClock clock = new ManualClock();
        RequestHandler deadlines = auditing(clock, AuditLog.none());
        Request request = block("192.0.2.9", 60);
        ReentrantLock lock = node.lockFor("firewall");
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            lock.lock();
            Future<Optional<Reply>> pending;
            try {
                pending = worker.submit(() -> deadlines.handle(node, request));
                awaitWaiter(lock);
                clock.advance(Duration.ofSeconds(59));
            } finally {
                lock.unlock();
            }
            Reply reply = pending.get(30, TimeUnit.SECONDS).orElseThrow();
            assertEquals(Status.OK, reply.status(), reply.message());
            assertEquals(List.of("192.0.2.9"), firewall().listBlocked());
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void intentIsAuditedBeforeTheActionAndTheOutcomeAfter() throws Exception {
        RecordingAudit audit = new RecordingAudit();
        RequestHandler handler = auditing(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), audit);
        FirewallProvider firewall = firewall();
        List<Boolean> blockedWhenAudited = Collections.synchronizedList(new ArrayList<>());
        audit.failOn = entry -> {
            try {
                blockedWhenAudited.add(firewall.listBlocked().contains("192.0.2.10"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return false;
        };
        Request request = block("192.0.2.10", 60);
        Reply reply = handler.handle(node, request).orElseThrow();
        assertEquals(Status.OK, reply.status(), reply.message());
        assertEquals(List.of("started", "ran"), audit.verdicts(request));
        assertEquals(List.of(false, true), blockedWhenAudited, "started is written before the block, ran after it");
        AuditLog.Entry ran = audit.entries.get(1);
        assertEquals(0, ran.status());
    }

    @Test
    void actionDoesNotRunWhenItsIntentCannotBeAudited() throws Exception {
        RecordingAudit audit = new RecordingAudit();
        audit.failOn = entry -> true;
        RequestHandler handler = auditing(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), audit);
        Reply reply = handler.handle(node, block("192.0.2.11", 60)).orElseThrow();
        assertEquals(Status.UNKNOWN_ERROR, reply.status(), reply.message());
        assertEquals("audit log unavailable: No space left on device; the action was not run", reply.message());
        assertEquals(List.of(), firewall().listBlocked(), "fail closed: nothing runs unaudited");
    }

    @Test
    void outcomeThatCannotBeAuditedIsStillReportedTruthfully() throws Exception {
        RecordingAudit audit = new RecordingAudit();
        audit.failOn = entry -> entry.verdict().equals("ran");
        RequestHandler handler = auditing(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), audit);
        Request request = block("192.0.2.12", 60);
        Reply reply = handler.handle(node, request).orElseThrow();
        assertEquals(Status.OK, reply.status(), "the block ran and succeeded: " + reply.message());
        assertTrue(reply.changed());
        assertTrue(reply.message().startsWith("blocked 192.0.2.12"), reply.message());
        assertTrue(reply.message().contains("audit log unavailable: No space left on device"), reply.message());
        assertEquals(List.of("192.0.2.12"), firewall().listBlocked());
        assertEquals(List.of("started"), audit.verdicts(request));
    }

    @Test
    void refusalIsAnsweredEvenWhenTheAuditLogFails() {
        RecordingAudit audit = new RecordingAudit();
        audit.failOn = entry -> true;
        RequestHandler handler = auditing(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), audit);
        Request expired = new Request(newId(), "drover", "firewall", "block", Map.of("address", "192.0.2.13"), null,
                List.of(IDENTITY), "alice", NOW - 120_000, 60, null);
        Reply reply = handler.handle(node, expired).orElseThrow();
        assertEquals(Status.ABORTED, reply.status(), reply.message());
        assertTrue(reply.message().startsWith("refused: request expired"), reply.message());
    }

    @Test
    void aDryRunSaysWhatTheActionWouldDoChangesNothingAndIsAuditedAsOne() throws Exception {
        RecordingAudit audit = new RecordingAudit();
        RequestHandler handler = auditing(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), audit);
        long pid = httpdPid();
        Request request = block("192.0.2.20", 60).withDryRun(true);
        Reply reply = handler.handle(node, request).orElseThrow();
        assertEquals(Status.OK, reply.status(), reply.message());
        assertEquals("would block 192.0.2.20", reply.message());
        assertEquals(Map.of("changed", false, "would_change", true, "dry_run", true, "address", "192.0.2.20", "blocked", true),
                reply.data());
        assertTrue(reply.dryRun());
        assertTrue(reply.wouldChange());
        assertFalse(reply.changed());
        assertEquals(List.of(), firewall().listBlocked(), "a dry run changes nothing");
        assertEquals(List.of("started", "ran"), audit.verdicts(request));
        assertTrue(audit.entries.stream().allMatch(AuditLog.Entry::dryRun), "both records say dry run");

        Reply restart = handler.handle(node, new Request(newId(), "drover", "service", "restart", Map.of("service", "httpd"), null,
                List.of(IDENTITY), "alice", NOW, 60, true, null)).orElseThrow();
        assertEquals("would restart httpd", restart.message());
        assertTrue(restart.wouldChange());
        assertEquals(pid, httpdPid(), "httpd was not restarted");

        // The same request for real, then its dry run again: now it would change nothing.
        assertTrue(handler.handle(node, block("192.0.2.20", 60)).orElseThrow().changed());
        Reply again = handler.handle(node, block("192.0.2.20", 60).withDryRun(true)).orElseThrow();
        assertEquals("192.0.2.20 is already blocked, nothing to do", again.message());
        assertFalse(again.wouldChange());
        assertFalse(audit.entries.get(audit.entries.size() - 3).dryRun(), "the real block is audited as real");
    }

    @Test
    void readOnlyActionsRunAsUsualInADryRun() {
        Reply check = reply(broadcast("nrpe", "run_command", Map.of("command", "check_disk"), null).withDryRun(true));
        assertEquals(Status.ABORTED, check.status(), "a CRITICAL check is reported as it is");
        assertEquals("CRITICAL", check.get("state"));
        assertTrue(check.dryRun());
        assertFalse(check.wouldChange());
        Reply ping = reply(broadcast("rpcutil", "ping", Map.of(), null).withDryRun(true));
        assertEquals("pong", ping.message());
    }

    @Test
    void aDryRunOfAnActionWithoutADryRunHandlerCannotBeSimulatedAndRunsNothing() {
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        PluginFactory plain = TestPlugin.named("plain", "no dry runs").action("act", inputs -> {
            ran.set(true);
            return io.drover.agent.plugin.ActionResult.changed(true, "acted", Map.of());
        }).factory();
        Node plainNode = Node.build(new NodeSpec("plain01", List.of("drover"), Set.of(), Map.of(), Map.of("plain", Map.of())),
                new Plugins(List.of(new RpcutilAgent.Factory(), plain)));
        Reply reply = handler.handle(plainNode, broadcast("plain", "act", Map.of(), null).withDryRun(true)).orElseThrow();
        assertEquals(Status.ABORTED, reply.status());
        assertTrue(reply.message().startsWith("cannot simulate plain.act: the plain plugin declares no dry-run handler"), reply.message());
        assertTrue(reply.dryRun());
        assertFalse(ran.get(), "the real handler never runs in a dry run");
    }

    @Test
    void aDryRunIsJudgedLikeAnyRequestBeforeItIsSimulated() {
        Reply invalid = reply(broadcast("firewall", "block", Map.of("address", "not-an-address"), null).withDryRun(true));
        assertEquals(Status.INVALID_DATA, invalid.status());
        Request expired = new Request(newId(), "drover", "firewall", "block", Map.of("address", "192.0.2.21"), null,
                List.of(IDENTITY), "alice", NOW - 120_000, 60, true, null);
        assertTrue(reply(expired).message().startsWith("refused: request expired"));
    }
}
