package io.drover.testing;

import io.drover.agent.Node;
import io.drover.agent.NodeSpec;
import io.drover.agent.Plugins;
import io.drover.agent.RequestHandler;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One node with the built-in plugins and the given agent settings, answering requests as a real agent does. */
public final class AgentHarness {
    private final Node node;
    private final RequestHandler handler = new RequestHandler(Clock.systemUTC(), Duration.ofSeconds(30), 3600, false);

    public AgentHarness(Map<String, Map<String, Object>> agents) {
        this.node = Node.build(new NodeSpec("test01.example.com", List.of("drover"), Set.of(), Map.of(), agents),
                Plugins.installed());
    }

    public Node node() {
        return node;
    }

    /** Sends a broadcast request for {@code agent.action} and returns the node's reply. */
    public Reply call(String agent, String action, Map<String, Object> params) {
        return send(agent, action, params, false);
    }

    /** Sends {@code agent.action} as a dry run and returns the node's reply. */
    public Reply dryRun(String agent, String action, Map<String, Object> params) {
        return send(agent, action, params, true);
    }

    private Reply send(String agent, String action, Map<String, Object> params, boolean dryRun) {
        Request request = new Request(Request.newId(), "drover", agent, action, params, null, null, "test",
                System.currentTimeMillis(), 60, dryRun, null);
        return handler.handle(node, request).orElseThrow(() -> new AssertionError("no reply to " + agent + "." + action));
    }
}
