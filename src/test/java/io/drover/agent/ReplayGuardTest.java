package io.drover.agent;

import io.drover.protocol.Request;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayGuardTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final Duration SKEW = Duration.ofSeconds(30);

    private final ReplayGuard guard = new ReplayGuard();

    private static Request request(String id, long created, int ttl) {
        return new Request(id, "drover", "rpcutil", "ping", Map.of(), null, null, "tester", created, ttl, null);
    }

    @Test
    void freshRequestIsAdmittedAndRemembered() {
        assertNull(guard.admit(request("req-00000001", NOW, 60), NOW, SKEW));
        assertEquals(1, guard.size());
    }

    @Test
    void sameIdAgainIsARefusedReplay() {
        assertNull(guard.admit(request("req-00000001", NOW, 60), NOW, SKEW));
        String refusal = guard.admit(request("req-00000001", NOW, 60), NOW + 1000, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.contains("req-00000001") && refusal.contains("replays are refused"), refusal);
        assertEquals(1, guard.size());
    }

    @Test
    void replayWithOtherFieldsIsStillARepeat() {
        assertNull(guard.admit(request("req-00000001", NOW, 60), NOW, SKEW));
        assertNotNull(guard.admit(request("req-00000001", NOW + 500, 120), NOW + 1000, SKEW));
    }

    @Test
    void differentIdsAreAdmitted() {
        assertNull(guard.admit(request("req-00000001", NOW, 60), NOW, SKEW));
        assertNull(guard.admit(request("req-00000002", NOW, 60), NOW, SKEW));
        assertEquals(2, guard.size());
    }

    @Test
    void expiredRequestIsRefused() {
        String refusal = guard.admit(request("req-00000001", NOW - 120_000, 60), NOW, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.startsWith("request expired 30.0 s ago (created 120.0 s ago by this node's clock; ttl 60 s plus the "
                + "allowed clock skew of 30 s)"), refusal);
        assertTrue(refusal.contains("synchronise the clocks") && refusal.contains("give steps more time"), refusal);
        assertEquals(0, guard.size(), "a refused request is not remembered");
    }

    @Test
    void expiryBoundaryIsTtlPlusSkew() {
        assertNull(guard.admit(request("req-00000001", NOW - 90_000, 60), NOW, SKEW), "valid up to created + ttl + skew");
        String refusal = guard.admit(request("req-00000002", NOW - 90_001, 60), NOW, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.contains("expired"), refusal);
    }

    @Test
    void aTwoSecondPingReachingANodeWhoseClockIsAheadIsAdmittedWithinTheSkew() {
        assertNull(guard.admit(request("req-00000001", NOW - 3_000, 2), NOW, SKEW), "3 s ahead");
        assertNull(guard.admit(request("req-00000002", NOW - 25_000, 2), NOW, SKEW), "25 s ahead");
        assertNull(guard.admit(request("req-00000003", NOW - 32_000, 2), NOW, SKEW), "ttl + skew exactly");
        String refusal = guard.admit(request("req-00000004", NOW - 40_000, 2), NOW, SKEW);
        assertNotNull(refusal, "40 s ahead is beyond the skew");
        assertTrue(refusal.startsWith("request expired 8.0 s ago (created 40.0 s ago by this node's clock; ttl 2 s"), refusal);
    }

    @Test
    void idsAreRememberedForTheWholeWidenedWindow() {
        assertNull(guard.admit(request("req-00000001", NOW, 2), NOW, SKEW));
        // Past created + ttl, but still inside created + ttl + skew: the id must still be known.
        long later = NOW + 31_000;
        assertNull(guard.admit(request("req-00000002", later, 60), later, SKEW), "also passes the purge interval");
        String refusal = guard.admit(request("req-00000001", NOW, 2), later, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.contains("replays are refused"), refusal);
        // Once the widened window is over, the id may be forgotten: the window check refuses the replay.
        long after = NOW + 40_000;
        assertNull(guard.admit(request("req-00000003", after, 60), after, SKEW));
        assertEquals(2, guard.size(), "req-00000001 was forgotten");
        assertTrue(guard.admit(request("req-00000001", NOW, 2), after, SKEW).startsWith("request expired"));
    }

    @Test
    void zeroSkewKeepsTheWindowExactlyCreatedPlusTtl() {
        assertNull(guard.admit(request("req-00000001", NOW - 2_000, 2), NOW, Duration.ZERO));
        assertNotNull(guard.admit(request("req-00000002", NOW - 2_001, 2), NOW, Duration.ZERO));
    }

    @Test
    void createdTooFarInTheFutureIsRefused() {
        String refusal = guard.admit(request("req-00000001", NOW + 31_000, 60), NOW, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.startsWith("request created 31.0 s in the future by this node's clock, more than the allowed clock skew "
                + "of 30 s: this node's clock is about 31.0 s behind the caller's; synchronise the clocks"), refusal);
        assertEquals(0, guard.size());
    }

    @Test
    void createdInTheFutureWithinTheSkewIsAdmitted() {
        assertNull(guard.admit(request("req-00000001", NOW + 20_000, 60), NOW, SKEW));
        assertNull(guard.admit(request("req-00000002", NOW + 30_000, 60), NOW, SKEW), "exactly the skew is allowed");
    }

    @Test
    void zeroSkewRefusesAnyFutureDate() {
        assertNotNull(guard.admit(request("req-00000001", NOW + 1, 60), NOW, Duration.ZERO));
        assertNull(guard.admit(request("req-00000002", NOW, 60), NOW, Duration.ZERO));
    }

    @Test
    void idIsPurgedAfterItsRequestExpired() {
        assertNull(guard.admit(request("req-00000001", NOW, 1), NOW, SKEW));
        assertNull(guard.admit(request("req-00000002", NOW + 500, 60), NOW + 500, SKEW));
        assertEquals(2, guard.size(), "nothing has expired yet");

        // Far past the first request's expiry plus skew, and past the purge interval.
        long later = NOW + 60_000;
        assertNull(guard.admit(request("req-00000003", later, 60), later, SKEW));
        assertEquals(2, guard.size(), "req-00000001 was forgotten; req-00000002 and req-00000003 are remembered");

        // Its replay is still refused, now by the TTL check.
        String refusal = guard.admit(request("req-00000001", NOW, 1), later, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.contains("expired"), refusal);
    }

    @Test
    void idIsRememberedWhileItsRequestIsValid() {
        assertNull(guard.admit(request("req-00000001", NOW, 60), NOW, SKEW));
        long later = NOW + 59_000;
        assertNull(guard.admit(request("req-00000002", later, 60), later, SKEW));
        String refusal = guard.admit(request("req-00000001", NOW, 60), later, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.contains("replays are refused"), refusal);
    }

    private static Request from(String caller, String id, long created, int ttl) {
        return new Request(id, "drover", "firewall", "block", Map.of(), null, null, caller, created, ttl, null);
    }

    @Test
    void aCheckedRequestIsNotRememberedUntilItIsRemembered() {
        Request request = request("req-00000001", NOW, 60);
        assertNull(guard.check(request, NOW, SKEW));
        assertNull(guard.check(request, NOW, SKEW), "a request refused after the check (signature, policy) takes no room");
        assertEquals(0, guard.size());
        assertNull(guard.remember(request, NOW, SKEW));
        assertTrue(guard.check(request, NOW, SKEW).contains("replays are refused"));
        assertTrue(guard.remember(request, NOW, SKEW).contains("replays are refused"), "two copies racing past the check");
        assertEquals(1, guard.size());
    }

    @Test
    void aCallerFillsOnlyItsOwnShare() {
        ReplayGuard small = new ReplayGuard(3, 10);
        for (int i = 0; i < 3; i++) {
            assertNull(small.admit(from("mallory", "m-" + i, NOW, 3600), NOW, SKEW));
        }
        String refusal = small.admit(from("mallory", "m-3", NOW, 3600), NOW, SKEW);
        assertNotNull(refusal);
        assertTrue(refusal.startsWith("caller mallory has 3 requests still valid on this node"), refusal);
        assertTrue(refusal.contains("other callers are not affected"), refusal);
        assertNull(small.admit(from("alice", "a-0", NOW, 60), NOW, SKEW), "alice is not locked out by mallory");
        assertNull(small.check(from("mallory", "m-3", NOW, 3600), NOW, SKEW), "the refused id was not remembered");
        assertEquals(4, small.size());
    }

    @Test
    void aFullShareFreesRoomOnceItsIdsExpire() {
        ReplayGuard small = new ReplayGuard(2, 10);
        assertNull(small.admit(from("bob", "b-0", NOW, 1), NOW, Duration.ZERO));
        assertNull(small.admit(from("bob", "b-1", NOW, 60), NOW, Duration.ZERO));
        assertNotNull(small.admit(from("bob", "b-2", NOW + 100, 60), NOW + 100, Duration.ZERO), "full");
        // b-0 expired at NOW + 1 s; the share makes room at once, without waiting for the regular purge.
        long later = NOW + 1_500;
        assertNull(small.admit(from("bob", "b-3", later, 60), later, Duration.ZERO));
        assertEquals(2, small.size());
    }

    @Test
    void distinctCallersAreBoundedAndForgottenWhenTheirIdsExpire() {
        ReplayGuard small = new ReplayGuard(10, 2);
        assertNull(small.admit(from("c1", "x-1", NOW, 1), NOW, Duration.ZERO));
        assertNull(small.admit(from("c2", "x-2", NOW, 1), NOW, Duration.ZERO));
        String refusal = small.admit(from("c3", "x-3", NOW, 1), NOW, Duration.ZERO);
        assertNotNull(refusal);
        assertTrue(refusal.startsWith("too many distinct callers (2)"), refusal);
        long later = NOW + 10_000;
        assertNull(small.admit(from("c3", "x-4", later, 1), later, Duration.ZERO), "c1 and c2 were forgotten with their ids");
        assertEquals(1, small.size());
    }

    @Test
    void aRequestCreatedBeforeTheNodeBeganServingIsRefused() {
        guard.serving("drover", NOW);
        String refusal = guard.createdBeforeServing(request("req-00000001", NOW - 1, 60), Duration.ZERO);
        assertNotNull(refusal);
        assertTrue(refusal.startsWith("request created 0.0 s before this node began serving (at 2023-11-14T22:13:20Z by its "
                + "clock, when it (re)connected to the broker)"), refusal);
        assertTrue(refusal.contains("a replay or was queued while the node was away, and it was not run"), refusal);
        assertNull(guard.createdBeforeServing(request("req-00000002", NOW, 60), Duration.ZERO));
        assertNull(guard.createdBeforeServing(request("req-00000003", NOW - 30_000, 60), SKEW), "read-only: within the skew");
        assertNotNull(guard.createdBeforeServing(request("req-00000004", NOW - 30_001, 60), SKEW));
        assertNull(guard.createdBeforeServing(new Request("req-00000005", "other", "rpcutil", "ping", Map.of(), null, null,
                "tester", NOW - 60_000, 120, null), Duration.ZERO), "each collective has its own start");
    }
}
