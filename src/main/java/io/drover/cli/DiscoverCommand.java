package io.drover.cli;

import io.drover.client.Discovery;
import io.drover.client.DroverClient;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code drover discover [FILTERS]}: the identities of the matching hosts, one per line. */
@Command(name = "discover", description = "List the hosts matching the filters, one per line.")
final class DiscoverCommand extends FleetCommand {
    DiscoverCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    int run(DroverClient client) throws Exception {
        Discovery discovery = client.discover(options.filter(), options.discoveryOptions());
        Integer expected = options.expected();
        boolean ok = !discovery.identities().isEmpty() && discovery.complete()
                && (expected == null || discovery.size() == expected);
        if (options.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("filter", discovery.filter().toString());
            json.put("hosts", discovery.identities());
            json.put("refused", discovery.refused());
            json.put("missing", discovery.missing());
            json.put("unregistered", discovery.unknown());
            json.put("elapsed_ms", discovery.elapsed().toMillis());
            json.put("ended", discovery.ended().name().toLowerCase(java.util.Locale.ROOT));
            out.println(JSON.writeValueAsString(json));
        } else {
            discovery.identities().forEach(out::println);
            discovery.refused().forEach((host, why) -> err.println(host + " refused discovery: " + why));
            discovery.missing().forEach((host, why) -> err.println(host + " " + why));
            discovery.unknown().forEach(host -> err.println(host + " answered but is not in " + discovery.expectedFrom()));
            err.println(discovery.size() + " host" + (discovery.size() == 1 ? "" : "s") + " matching " + discovery.filter().describe()
                    + " in " + discovery.elapsed().toMillis() + " ms (" + discovery.ended().description() + ")"
                    + (expected != null && discovery.size() != expected ? "; expected " + expected : ""));
        }
        return ok ? 0 : 1;
    }
}
