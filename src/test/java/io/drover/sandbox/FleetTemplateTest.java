package io.drover.sandbox;

import io.drover.agent.NodeSpec;
import io.drover.filter.Filter;
import io.drover.filter.NodeView;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FleetTemplateTest {
    private record View(NodeSpec spec) implements NodeView {
        public String identity() {
            return spec.identity();
        }

        public Set<String> classes() {
            return spec.classes();
        }

        public Map<String, Object> facts() {
            return spec.facts();
        }

        public Set<String> agents() {
            return spec.agents().keySet();
        }
    }

    private static long count(FleetSpec fleet, String filter) {
        Filter parsed = Filter.parse(filter);
        return fleet.nodes().stream().filter(node -> parsed.matches(new View(node))).count();
    }

    @Test
    void weightsGiveExactFractionsPerBlockOfNodes() {
        FleetSpec fleet = FleetTemplate.load(Path.of("sandbox/emulator.yaml")).fleet(1000, "bench");
        assertEquals(1000, fleet.nodes().size());
        assertEquals("node-00001", fleet.nodes().get(0).identity());
        assertEquals("node-01000", fleet.nodes().get(999).identity());
        assertEquals("bench", fleet.collective());
        assertEquals(100, count(fleet, "country=de"));
        assertEquals(550, count(fleet, "country=us"));
        assertEquals(500, count(fleet, "roles::web_server"));
        assertEquals(300, count(fleet, "roles::dev_server"));
        assertEquals(250, count(fleet, "datacenter=dc1"));
        assertEquals(1000, count(fleet, "environment=production and os.family=RedHat"));
        assertEquals(Set.of("firewall", "package", "service", "nrpe"), fleet.nodes().get(0).agents().keySet());
    }

    @Test
    void smallFleetsStillMixTheValues() {
        FleetSpec fleet = FleetTemplate.load(Path.of("sandbox/emulator.yaml")).fleet(20, null);
        long de = count(fleet, "country=de");
        assertEquals(true, de >= 1 && de <= 3, "about a tenth of 20: " + de);
        assertEquals("drover", fleet.collective());
    }
}
