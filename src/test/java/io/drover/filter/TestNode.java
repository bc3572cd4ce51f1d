package io.drover.filter;

import java.util.Map;
import java.util.Set;

record TestNode(String identity, Set<String> classes, Map<String, Object> facts, Set<String> agents) implements NodeView {
    static TestNode web01() {
        return new TestNode("web01.de.example.com",
                Set.of("roles::dev_server", "apache", "base"),
                Map.of("country", "de",
                        "cpus", 4,
                        "memory_mb", "16384",
                        "load", 0.75,
                        "virtual", true,
                        "os", Map.of("family", "Debian", "release", Map.of("major", "12")),
                        "ip_addresses", java.util.List.of("10.0.0.5", "192.168.1.20"),
                        "version", "4.2.6-3.el5"),
                Set.of("rpcutil", "firewall", "package"));
    }
}
