package io.drover.client;

import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class RecentCallsTest {
    private static final long START = 1_000_000_000L;

    private static Reply reply(String id, String host) {
        return new Reply(id, host, "firewall", "block", Status.OK, "blocked", Map.of(), 5);
    }

    private static String id(int n) {
        return String.format("request-%08d", n);
    }

    @Test
    void aLateReplyIsAttributedToItsCallOncePerMissingHost() {
        RecentCalls recent = new RecentCalls();
        long end = START + Duration.ofSeconds(30).toNanos();
        recent.ended(id(1), "firewall.block", START, end, Set.of("dev3"));
        LateReply late = recent.late(reply(id(1), "dev3"), START + Duration.ofMillis(31_200).toNanos());
        assertNotNull(late);
        assertEquals("firewall.block", late.action());
        assertEquals(Duration.ofMillis(31_200), late.at());
        assertNull(recent.late(reply(id(1), "dev3"), end + 1), "a duplicate is not a second late reply");
        assertNull(recent.late(reply(id(1), "web1"), end + 1), "a host that answered in time is not late");
        assertNull(recent.late(reply(id(2), "dev3"), end + 1), "an unknown request");
        assertEquals(1, recent.lateReplies().size());
    }

    @Test
    void memoryIsBoundedByCountAndAge() {
        RecentCalls recent = new RecentCalls();
        for (int i = 0; i < RecentCalls.MAX_CALLS + 10; i++) {
            recent.ended(id(i), "a.b", START, START + i, Set.of("h"));
        }
        assertNull(recent.late(reply(id(0), "h"), START + 100), "the oldest calls were forgotten");
        assertNotNull(recent.late(reply(id(RecentCalls.MAX_CALLS + 9), "h"), START + 100));
        long later = START + RecentCalls.MAX_AGE.toNanos() + Duration.ofSeconds(1).toNanos() + RecentCalls.MAX_CALLS + 10;
        assertNull(recent.late(reply(id(RecentCalls.MAX_CALLS + 8), "h"), later), "calls older than the maximum age are forgotten");

        RecentCalls many = new RecentCalls();
        many.ended(id(1), "a.b", START, START, manyHosts(RecentCalls.MAX_LATE + 5));
        for (int i = 0; i < RecentCalls.MAX_LATE + 5; i++) {
            many.late(reply(id(1), "h" + i), START + 1);
        }
        assertEquals(RecentCalls.MAX_LATE, many.lateReplies().size());
        assertEquals("h5", many.lateReplies().get(0).host(), "the oldest late replies make room");
    }

    private static Set<String> manyHosts(int n) {
        java.util.Set<String> hosts = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            hosts.add("h" + i);
        }
        return hosts;
    }
}
