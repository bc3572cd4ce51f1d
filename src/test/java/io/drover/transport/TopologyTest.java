package io.drover.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopologyTest {
    @Test
    void replyQueueNamesAreUnguessableSafeAndNeverLookLikeNodeQueues() {
        String alice = Topology.replyQueue("alice@ops1");
        assertTrue(alice.matches("drover-reply\\.alice@ops1\\.[0-9a-f-]{36}"), alice);
        assertNotEquals(alice, Topology.replyQueue("alice@ops1"), "a random UUID each time");
        assertFalse(alice.startsWith(Topology.PREFIX), "agents refuse to reply to drover. names");
        String hostile = Topology.replyQueue("eve /|\n\u00e9" + "x".repeat(300));
        assertTrue(hostile.matches("drover-reply\\.eve_{5}x{56}\\.[0-9a-f-]{36}"), hostile);
        // What agents accept as a reply-to (NodeHost.REPLY_TO).
        assertTrue(hostile.matches("[A-Za-z0-9_.:@/+-]{1,255}"), hostile);
        assertTrue(Topology.replyQueue("").startsWith("drover-reply.client."));
    }

    @Test
    void deployLockNamesFitAmqpAndNeverCollide() {
        assertEquals("drover.prod.lock.web1.example.com", Topology.hostLock("prod", "web1.example.com"));
        assertEquals("drover.prod.lock-holder.web1.example.com", Topology.hostLockHolder("prod", "web1.example.com"));
        String collective = "c".repeat(64);
        String longest = "a".repeat(253);
        String other = "a".repeat(252) + "b";
        for (String name : new String[]{Topology.hostLock(collective, longest), Topology.hostLockHolder(collective, longest)}) {
            assertTrue(name.length() <= 255, name);
            assertTrue(name.contains(".~"), "a hashed name cannot be any identity's: " + name);
        }
        assertNotEquals(Topology.hostLock(collective, longest), Topology.hostLock(collective, other));
        assertNotEquals(Topology.hostLock("prod", "x"), Topology.registryLock("prod"));
        assertNotEquals(Topology.hostLock("prod", "holder.x"), Topology.hostLockHolder("prod", "x"));
    }
}
