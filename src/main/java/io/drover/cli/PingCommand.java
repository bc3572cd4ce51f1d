package io.drover.cli;

import io.drover.client.Call;
import io.drover.client.DroverClient;

import java.io.PrintStream;
import java.util.List;
import java.util.SortedSet;

/** {@code drover ping [FILTERS]}: discover the hosts, then ping each one directly. */
final class PingCommand extends FleetCommand {
    PingCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    String name() {
        return "ping";
    }

    @Override
    String usage() {
        return "Usage: drover ping [OPTIONS]\n";
    }

    @Override
    int run(DroverClient client, List<String> positionals) throws Exception {
        if (!positionals.isEmpty()) {
            throw new Arguments.UsageException("ping takes no arguments, got " + positionals);
        }
        SortedSet<String> hosts = discover(client);
        return hosts == null ? 1 : report(call(client, Call.of("rpcutil", "ping").to(hosts)));
    }
}
