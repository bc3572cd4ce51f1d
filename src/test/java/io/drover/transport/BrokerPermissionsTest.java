package io.drover.transport;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerPermissionsTest {
    private static boolean matches(String regex, String name) {
        return Pattern.compile(regex).matcher(name).find();
    }

    @Test
    void aNodeMayConfigureAndReadOnlyItsOwnQueue() {
        BrokerPermissions web1 = BrokerPermissions.node("web1.example.com", List.of("prod"));
        assertTrue(matches(web1.configure(), "drover.prod.node.web1.example.com"));
        assertTrue(matches(web1.read(), "drover.prod.node.web1.example.com"));
        for (String other : List.of("drover.prod.node.web2.example.com", "drover.prod.node.web1xexample.com",
                "drover.prod.node.web1.example.com.evil", "xdrover.prod.node.web1.example.com", "drover.other.node.web1.example.com",
                "amq.gen-abc", "drover-reply.alice.1234")) {
            assertFalse(matches(web1.configure(), other), other);
            assertFalse(matches(web1.read(), other), other);
            assertFalse(matches(web1.write(), other), other);
        }
        assertTrue(matches(web1.write(), "amq.default"), "replies go through the default exchange");
        assertTrue(matches(web1.write(), "drover.prod.registry"), "registrations");
        assertFalse(matches(web1.write(), "drover.prod.directed"), "no requests");
        assertFalse(matches(web1.write(), "drover.prod.broadcast"), "no requests");
        assertEquals("^$", web1.topicWrite());
        assertTrue(matches(web1.topicRead(), "firewall"));
        assertFalse(matches(web1.topicRead(), "#"));
        assertFalse(matches(web1.topicRead(), "*"));
    }

    @Test
    void aRunnerNeverTouchesNodeQueuesNorReadsFromTheRequestExchanges() {
        BrokerPermissions alice = BrokerPermissions.runner("alice", List.of("prod", "staging"));
        for (String c : List.of("prod", "staging")) {
            String node = "drover." + c + ".node.web1.example.com";
            assertFalse(matches(alice.configure(), node));
            assertFalse(matches(alice.write(), node));
            assertFalse(matches(alice.read(), node));
            assertFalse(matches(alice.read(), "drover." + c + ".directed"), "binding from it would read requests");
            assertFalse(matches(alice.read(), "drover." + c + ".broadcast"), "binding from it would read requests");
            assertTrue(matches(alice.write(), "drover." + c + ".directed"));
            assertTrue(matches(alice.write(), "drover." + c + ".broadcast"));
            assertTrue(matches(alice.read(), "drover." + c + ".registry"));
            assertTrue(matches(alice.configure(), "drover." + c + ".registry.lock"));
            String lock = Topology.hostLock(c, "web1.example.com");
            String holder = Topology.lockHolders(c);
            String run = Topology.lockRun(c, "0f8fad5b-d9cb-469f-a165-70867728950e");
            assertTrue(matches(alice.configure(), lock), lock);
            assertTrue(matches(alice.configure(), holder), holder);
            assertTrue(matches(alice.configure(), run), run);
            assertTrue(matches(alice.read(), holder), "reads holder records: " + holder);
            assertTrue(matches(alice.read(), lock), "holds a lock by consuming its queue");
            BrokerPermissions web1 = BrokerPermissions.node("web1.example.com", List.of(c));
            for (String name : List.of(lock, holder, run)) {
                assertFalse(matches(web1.configure(), name) || matches(web1.read(), name), "nodes have no part in deploy locks: " + name);
            }
            String hashed = Topology.hostLock(c, "a".repeat(250));
            assertTrue(hashed.length() <= 255 && matches(alice.configure(), hashed), hashed);
        }
        for (String replyQueue : List.of("amq.gen-JzTY20BRgKO-HjmUJj0wLg", "drover-reply.alice.6f1c3b9e-0d55-4f5e-9a0e-3f4f1c2d9b7a")) {
            assertTrue(matches(alice.configure(), replyQueue), replyQueue);
            assertTrue(matches(alice.read(), replyQueue), replyQueue);
        }
        String view = Topology.registryView(Topology.replyQueue("alice"));
        assertTrue(matches(alice.configure(), view) && matches(alice.read(), view), view);
        assertTrue(matches(alice.write(), view), "binds its registry view queue: " + view);
        assertFalse(matches(alice.write(), Topology.replyQueue("alice")), "binds no other reply queue");
        assertFalse(matches(BrokerPermissions.node("web1.example.com", List.of("prod")).write(), view), view);
        assertEquals(3, alice.rabbitmqctlArguments("/").size(), "permissions and one topic entry per collective");
        assertEquals(List.of("set_topic_permissions", "-p", "/", "alice", "drover.staging.broadcast", "^[a-z][a-z0-9_]*$", "^$"),
                alice.rabbitmqctlArguments("/").get(2));
    }

    @Test
    void hostileNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BrokerPermissions.node(".*", List.of("prod")));
        assertThrows(IllegalArgumentException.class, () -> BrokerPermissions.node("web1|drover", List.of("prod")));
        assertThrows(IllegalArgumentException.class, () -> BrokerPermissions.node("web1", List.of("prod|.*")));
        assertThrows(IllegalArgumentException.class, () -> BrokerPermissions.node("web1", List.of()));
        assertThrows(IllegalArgumentException.class, () -> BrokerPermissions.runner("-p", List.of("prod")));
        assertThrows(IllegalArgumentException.class, () -> BrokerPermissions.runner("al ice", List.of("prod")));
    }
}
