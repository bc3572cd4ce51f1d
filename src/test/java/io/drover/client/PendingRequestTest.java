package io.drover.client;

import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingRequestTest {
    private static final long START = 5_000_000_000L;

    private static Reply reply(String host) {
        return new Reply("0b6f0d2e-4c7b-4b8e-9a51-3a7c2f1d9e10", host, "firewall", "block", Status.OK, "", Map.of(), 1);
    }

    private static long at(long ms) {
        return START + Duration.ofMillis(ms).toNanos();
    }

    @Test
    void twoProbesReturnedInARowMarkAHostDisconnectedAndEndTheWaitForIt() {
        PendingRequest wait = new PendingRequest(Set.of("a", "b"), START);
        wait.accept(reply("a"));
        wait.probeReturned("b", 1, at(1_500));
        assertFalse(wait.read(PendingRequest::complete), "one returned probe may be an agent reconnecting");
        wait.probeReturned("b", 3, at(4_500));
        assertFalse(wait.read(PendingRequest::complete), "rounds 1 and 3 are not in a row: round 2 reached the queue");
        wait.probeReturned("b", 4, at(6_000));
        assertTrue(wait.read(PendingRequest::complete));
        assertEquals("agent disconnected during the call: its queue was gone at 6 s (agent stopped or lost its broker connection)",
                wait.read(PendingRequest::unroutable).get("b"));
        assertEquals(Set.of(), wait.read(PendingRequest::waitingFor));
    }

    @Test
    void aReplyBeatsAnEarlierVerdictOfDisconnected() {
        PendingRequest wait = new PendingRequest(Set.of("a"), START);
        wait.probeReturned("a", 1, at(1_500));
        wait.probeReturned("a", 2, at(3_000));
        assertTrue(wait.accept(reply("a")));
        assertEquals(Map.of(), wait.read(PendingRequest::unroutable));
        assertEquals(1, wait.read(PendingRequest::replyCount));
        assertTrue(wait.read(PendingRequest::complete));
    }

    @Test
    void repliesAfterARecoveryAreCountedAndAClosedCallTakesNoMore() {
        PendingRequest wait = new PendingRequest(Set.of("a", "b", "c"), START);
        wait.accept(reply("a"));
        wait.connectionEvent(ConnectionEvent.Kind.LOST, at(2_000), "reset");
        wait.connectionEvent(ConnectionEvent.Kind.RECOVERED, at(5_000), "");
        wait.accept(reply("b"));
        assertEquals(1, wait.read(PendingRequest::repliesAfterRecovery));
        assertEquals(Duration.ofSeconds(2), wait.read(PendingRequest::connectionEvents).get(0).at());
        wait.read(p -> {
            p.close();
            return null;
        });
        assertFalse(wait.accept(reply("c")), "after the call ended, a reply is late");
        assertEquals(2, wait.read(PendingRequest::replyCount));
    }
}
