package io.drover.cli;

import io.drover.client.Call;
import io.drover.client.DroverClient;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.util.SortedSet;

/** {@code drover ping [FILTERS]}: discover the hosts, then ping each one directly. */
@Command(name = "ping", description = "Discover the hosts matching the filters and ping each one.")
final class PingCommand extends FleetCommand {
    PingCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    int run(DroverClient client) throws Exception {
        SortedSet<String> hosts = discover(client);
        return hosts == null ? ExitCodes.HOSTS_FAILED : report(call(client, Call.of("rpcutil", "ping").to(hosts)));
    }
}
