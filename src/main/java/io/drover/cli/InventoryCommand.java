package io.drover.cli;

import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.DroverClient;
import io.drover.protocol.Reply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code drover inventory NODE}: a node's version, collectives, agents with providers, classes and facts. */
@Command(name = "inventory", description = "A node's version, collectives, agents with their providers, classes and facts.")
final class InventoryCommand extends FleetCommand {
    InventoryCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Parameters(paramLabel = "NODE", description = "the node's identity")
    private String node;

    @Override
    int run(DroverClient client) throws Exception {
        CallResult result = call(client, Call.of("rpcutil", "inventory").to(Set.of(node)));
        Reply reply = result.replies().get(node);
        if (reply == null || !reply.isOk()) {
            err.println(node + ": " + (reply != null ? reply.status() + ": " + reply.message()
                    : result.missing().getOrDefault(node, "no reply")));
            return 1;
        }
        if (options.json()) {
            out.println(JSON.writeValueAsString(reply.data()));
            return 0;
        }
        Map<String, Object> data = reply.data();
        out.println(data.get("identity") + " (drover " + data.get("version") + ", collectives " + data.get("collectives") + ")");
        out.println("agents:");
        for (Object agent : (List<?>) data.get("agents")) {
            Map<?, ?> entry = (Map<?, ?>) agent;
            String provider = String.valueOf(entry.get("provider"));
            out.println("  " + entry.get("name") + (provider.isEmpty() ? "" : " (" + provider + ")") + ": " + entry.get("actions"));
        }
        out.println("classes:");
        for (Object cls : (List<?>) data.get("classes")) {
            out.println("  " + cls);
        }
        out.println("facts:");
        out.print(io.drover.cli.YamlText.of(data.get("facts"), "  "));
        return 0;
    }
}
