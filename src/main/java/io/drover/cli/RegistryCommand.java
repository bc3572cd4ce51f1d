package io.drover.cli;

import io.drover.client.ClientOptions;
import io.drover.fleet.Fleet;
import io.drover.fleet.KnownHost;
import io.drover.fleet.RegistryReader;
import io.drover.protocol.Names;
import io.drover.runner.RunnerConfig;
import io.drover.transport.BrokerConnector;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code drover fleet list|forget HOST}: what the fleet registry knows, and retiring a host that is gone for good.
 * Exit codes: 0 done, 1 the host is unknown or the registry could not be read, 2 bad usage, and those of
 * {@link ExitCodes} for the broker.
 */
@Command(name = "fleet", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "(list | forget)",
        description = "The fleet registry: who must answer discovery.")
final class RegistryCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;
    @Spec
    private CommandSpec spec;

    RegistryCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code drover fleet ARGS}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Main.execute(Main.configure(new CommandLine(new RegistryCommand(out, err)), out, err), args);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "say list or forget");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Every registered host: last seen, agent version, stopped or not.")
    int list(@Mixin FleetOptions options) throws Exception {
        return list(registry(options).read(options.config().clientOptions().collective()), options.json(), out);
    }

    @Command(name = "forget", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Retire HOST: discovery no longer expects it (until it registers again).")
    int forget(@Parameters(paramLabel = "HOST", description = "the host's identity") String host, @Mixin FleetOptions options)
            throws Exception {
        if (!Names.isIdentity(host)) {
            throw new ParameterException(spec.commandLine().getSubcommands().get("forget"),
                    "'" + Names.printable(host) + "' is not a host identity");
        }
        ClientOptions client = options.config().clientOptions();
        KnownHost known = registry(options).forget(client.collective(), host, client.caller());
        if (known == null) {
            err.println("drover fleet: " + host + " is not in the registry of collective " + client.collective()
                    + " (drover fleet list shows who is)");
            return ExitCodes.HOSTS_FAILED;
        }
        out.println("Forgot " + host + " (last seen " + known.lastSeenAgo(Instant.now()) + "); discovery no longer "
                + "expects it. If its agent registers again, it is part of the fleet again.");
        return ExitCodes.OK;
    }

    private static RegistryReader registry(FleetOptions options) {
        RunnerConfig config = options.config();
        BrokerConnector broker = options.brokerSettings(config).connector();
        ClientOptions client = config.clientOptions();
        return new RegistryReader(broker, Clock.systemUTC(), client.registry().retireAfter(), client.registry().lockWait());
    }

    private static int list(Fleet fleet, boolean json, PrintStream out) throws Exception {
        Instant now = fleet.readAt();
        if (json) {
            List<Map<String, Object>> hosts = new ArrayList<>();
            for (KnownHost host : fleet.hosts().values()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("host", host.identity());
                entry.put("last_seen", host.lastSeen().toString());
                entry.put("started", host.started().toString());
                entry.put("stopped", host.stopped());
                entry.put("version", host.version());
                entry.put("agents", host.agents());
                entry.put("classes", host.classes());
                hosts.add(entry);
            }
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("hosts", hosts);
            document.put("retired_now", fleet.retired());
            out.println(FleetCommand.JSON.writeValueAsString(document));
            return 0;
        }
        int width = fleet.hosts().keySet().stream().mapToInt(String::length).max().orElse(4);
        for (KnownHost host : fleet.hosts().values()) {
            out.printf("%-" + width + "s  %-10s  last seen %-10s  agent %s%n", host.identity(), host.stopped() ? "stopped" : "registered",
                    host.lastSeenAgo(now), host.version());
        }
        fleet.retired().forEach(host -> out.println("retired now: " + host));
        out.println(fleet.size() + " host" + (fleet.size() == 1 ? "" : "s") + " registered");
        return 0;
    }
}
