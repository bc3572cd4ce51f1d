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
        assertEquals("drover.prod.lock-holders", Topology.lockHolders("prod"));
        assertEquals("drover.prod.lock-run.0f8fad5b-d9cb-469f-a165-70867728950e", Topology.lockRun("prod", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        String collective = "c".repeat(64);
        String longest = "a".repeat(253);
        String other = "a".repeat(252) + "b";
        String name = Topology.hostLock(collective, longest);
        assertTrue(name.length() <= 255, name);
        assertTrue(name.contains(".~"), "a hashed name cannot be any identity's: " + name);
        assertTrue(Topology.lockRun(collective, java.util.UUID.randomUUID().toString()).length() <= 255);
        assertNotEquals(Topology.hostLock(collective, longest), Topology.hostLock(collective, other));
        assertNotEquals(Topology.hostLock("prod", "x"), Topology.registryLock("prod"));
        // Host locks are "lock." + identity; the records and run markers are "lock-…": never a host's lock.
        assertNotEquals(Topology.hostLock("prod", "holders"), Topology.lockHolders("prod"));
    }
}
