package io.drover.lock;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockHolderTest {
    private static final Instant SINCE = Instant.parse("2026-11-30T10:00:00.123Z");

    @Test
    void aRecordReadsBackAsWritten() {
        LockHolder holder = new LockHolder("alice", "features/deploy.feature:3 (Update the website)", "1234@build-3", SINCE);
        assertEquals(holder, LockHolder.decode(holder.encode()));
        assertEquals("caller alice, feature features/deploy.feature:3 (Update the website), runner 1234@build-3, since "
                + "2026-11-30T10:00:00.123Z (125 s ago)".replace("125 s ago", "2 min ago"), holder.describe(SINCE.plusSeconds(125)));
    }

    @Test
    void thisRunnerIsItsPidAndHost() {
        LockHolder holder = LockHolder.ofThisRunner("alice", "x.feature:1 (x)");
        assertTrue(holder.runner().startsWith(ProcessHandle.current().pid() + "@"), holder.runner());
    }

    @Test
    void agesReadNaturally() {
        assertEquals("0 s ago", LockHolder.ago(Duration.ZERO));
        assertEquals("119 s ago", LockHolder.ago(Duration.ofSeconds(119)));
        assertEquals("2 min ago", LockHolder.ago(Duration.ofSeconds(120)));
        assertEquals("3 h ago", LockHolder.ago(Duration.ofHours(3)));
        assertEquals("by a clock 5 s ahead of this one", LockHolder.ago(Duration.ofSeconds(-5)));
    }

    @Test
    void hostileRecordsAreRefusedOrDefused() {
        for (String bad : new String[]{"", "null", "[]", "{", "\"x\"", "{\"caller\":\"a\",\"feature\":\"f\",\"runner\":\"r\"}",
                "{\"caller\":1,\"feature\":\"f\",\"runner\":\"r\",\"since\":1}", "{\"caller\":\"a\",\"feature\":\"f\",\"runner\":\"r\",\"since\":\"x\"}",
                "{\"caller\":\"a\",\"feature\":\"f\",\"runner\":\"r\",\"since\":1.5}"}) {
            assertThrows(IllegalArgumentException.class, () -> LockHolder.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> LockHolder.decode(null));
        byte[] huge = ("{\"caller\":\"" + "a".repeat(LockHolder.MAX_BYTES) + "\",\"feature\":\"f\",\"runner\":\"r\",\"since\":1}")
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> LockHolder.decode(huge));

        LockHolder disguised = LockHolder.decode(("{\"caller\":\"eve\\u202e\\n\",\"feature\":\"" + "f".repeat(1000)
                + "\",\"runner\":\"r\",\"since\":99999999999999999}").getBytes(StandardCharsets.UTF_8));
        assertEquals("eve\\u202e\\x0a", disguised.caller());
        assertTrue(disguised.feature().length() <= LockHolder.MAX_FIELD + 3, disguised.feature());
        assertFalse(disguised.since().isAfter(Instant.parse("9999-12-31T00:00:00Z")));
    }
}
