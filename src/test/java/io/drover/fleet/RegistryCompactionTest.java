package io.drover.fleet;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Registration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryCompactionTest {
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final Duration WEEK = Duration.ofDays(7);

    private static RegistryCompaction.Entry entry(String kind, String identity, long sentAgoSeconds, String country) {
        boolean full = kind.equals("hello") || kind.equals("update");
        Registration r = new Registration(kind, identity, "c", full ? List.of("web") : null, full ? Map.of("country", country) : null,
                full ? List.of("rpcutil") : null, "1.0", "h", NOW.minusSeconds(3600).toEpochMilli(),
                NOW.minusSeconds(sentAgoSeconds).toEpochMilli(), 300, null, 0);
        return new RegistryCompaction.Entry(r, JsonCodec.instance().encode(r));
    }

    private static RegistryCompaction.Entry forget(String identity, long sentAgoSeconds, long untilAgoSeconds) {
        Registration r = new Registration("forget", identity, "c", null, null, null, null, null, 0,
                NOW.minusSeconds(sentAgoSeconds).toEpochMilli(), 0, "alice", NOW.minusSeconds(untilAgoSeconds).toEpochMilli());
        return new RegistryCompaction.Entry(r, JsonCodec.instance().encode(r));
    }

    @Test
    void keepsEachNodesLatestInventoryAndLatestWordWhateverTheOrderRead() {
        List<RegistryCompaction.Entry> entries = new ArrayList<>(List.of(
                entry("heartbeat", "a", 10, null), entry("hello", "a", 900, "de"), entry("update", "a", 600, "fr"),
                entry("heartbeat", "a", 300, null), entry("hello", "b", 50, "de")));
        RegistryCompaction.Result result = RegistryCompaction.compact(entries, NOW, WEEK);
        KnownHost a = result.fleet().hosts().get("a");
        assertEquals("fr", a.facts().get("country"), "the latest inventory, not the first one read");
        assertEquals(NOW.minusSeconds(10), a.lastSeen(), "seen at its latest heartbeat");
        assertFalse(a.stopped());
        assertEquals(3, result.keep().size(), "a's update and heartbeat, b's hello");
        assertEquals(2, result.dropped());
        assertEquals(Set.of("a", "b"), result.fleet().hosts().keySet());
    }

    @Test
    void aGoodbyeMarksTheNodeStoppedUntilItSaysHelloAgain() {
        RegistryCompaction.Result stopped = RegistryCompaction.compact(List.of(entry("hello", "a", 100, "de"),
                entry("goodbye", "a", 50, null)), NOW, WEEK);
        assertTrue(stopped.fleet().hosts().get("a").stopped());
        RegistryCompaction.Result back = RegistryCompaction.compact(List.of(entry("hello", "a", 100, "de"),
                entry("goodbye", "a", 50, null), entry("hello", "a", 5, "de")), NOW, WEEK);
        assertFalse(back.fleet().hosts().get("a").stopped());
    }

    @Test
    void aForgottenNodeStaysForgottenAgainstOlderCopiesButComesBackWithANewRegistration() {
        RegistryCompaction.Result forgotten = RegistryCompaction.compact(List.of(entry("hello", "a", 100, "de"),
                forget("a", 1, 100), entry("hello", "a", 100, "de")), NOW, WEEK);
        assertTrue(forgotten.fleet().hosts().isEmpty());
        assertEquals(1, forgotten.keep().size(), "only the tombstone stays");
        RegistryCompaction.Result back = RegistryCompaction.compact(List.of(forget("a", 1, 100), entry("hello", "a", 0, "de")), NOW, WEEK);
        assertEquals(Set.of("a"), back.fleet().hosts().keySet());
    }

    @Test
    void nodesSilentLongerThanTheRetirementAgeAreRetiredAndListed() {
        RegistryCompaction.Result result = RegistryCompaction.compact(List.of(entry("hello", "old", 8 * 86_400, "de"),
                entry("hello", "new", 60, "de")), NOW, WEEK);
        assertEquals(Set.of("new"), result.fleet().hosts().keySet());
        assertEquals(List.of("old (last seen 8 d ago)"), result.fleet().retired());
        assertEquals(1, result.keep().size());
    }

    @Test
    void nothingToCompactDropsNothing() {
        RegistryCompaction.Result result = RegistryCompaction.compact(List.of(entry("hello", "a", 10, "de"),
                entry("hello", "b", 10, "de")), NOW, WEEK);
        assertEquals(0, result.dropped());
    }

    @Test
    void lastSeenReadsLikeAPerson() {
        assertEquals("45 s ago", KnownHost.ago(Duration.ofSeconds(45)));
        assertEquals("3 min ago", KnownHost.ago(Duration.ofMinutes(3)));
        assertEquals("5 h ago", KnownHost.ago(Duration.ofHours(5)));
        assertEquals("8 d ago", KnownHost.ago(Duration.ofDays(8)));
    }
}
