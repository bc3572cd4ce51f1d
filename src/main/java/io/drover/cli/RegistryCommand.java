package io.drover.cli;

import io.drover.client.ClientOptions;
import io.drover.fleet.Fleet;
import io.drover.fleet.KnownHost;
import io.drover.fleet.RegistryReader;
import io.drover.protocol.Names;
import io.drover.runner.RunnerConfig;
import io.drover.transport.BrokerConnector;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code drover fleet list|forget HOST}: what the fleet registry knows, and retiring a host that is gone for good.
 * Exit codes: 0 done, 1 the host is unknown or the broker failed, 2 bad usage or configuration.
 */
final class RegistryCommand {
    static final String USAGE = """
            Usage: drover fleet list [OPTIONS]          every registered host: last seen, agent version, stopped or not
                   drover fleet forget HOST [OPTIONS]   retire HOST: discovery no longer expects it (until it registers again)
            """;

    private RegistryCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments arguments = Arguments.parse(args, FleetOptions.WITH_VALUE, FleetOptions.FLAGS);
            FleetOptions options = new FleetOptions(arguments);
            List<String> positionals = arguments.positionals();
            if (positionals.isEmpty()) {
                throw new Arguments.UsageException("say list or forget");
            }
            RunnerConfig config = options.config();
            if (config.broker().isEmpty()) {
                throw new Arguments.UsageException("no broker: give --broker URI (or DROVER_BROKER)");
            }
            BrokerConnector broker = config.broker().get().connector();
            ClientOptions client = config.clientOptions();
            RegistryReader registry = new RegistryReader(broker, Clock.systemUTC(), client.registry().retireAfter(),
                    client.registry().lockWait());
            switch (positionals.get(0)) {
                case "list" -> {
                    if (positionals.size() != 1) {
                        throw new Arguments.UsageException("list takes no host");
                    }
                    return list(registry.read(client.collective()), options.json(), out);
                }
                case "forget" -> {
                    if (positionals.size() != 2) {
                        throw new Arguments.UsageException("forget takes exactly one HOST");
                    }
                    String host = positionals.get(1);
                    if (!Names.isIdentity(host)) {
                        throw new Arguments.UsageException("'" + Names.printable(host) + "' is not a host identity");
                    }
                    KnownHost known = registry.forget(client.collective(), host, client.caller());
                    if (known == null) {
                        err.println("drover fleet: " + host + " is not in the registry of collective " + client.collective()
                                + " (drover fleet list shows who is)");
                        return 1;
                    }
                    out.println("Forgot " + host + " (last seen " + known.lastSeenAgo(Instant.now()) + "); discovery no longer "
                            + "expects it. If its agent registers again, it is part of the fleet again.");
                    return 0;
                }
                default -> throw new Arguments.UsageException("unknown fleet command '" + Names.printable(positionals.get(0)) + "'");
            }
        } catch (Arguments.UsageException e) {
            err.print("drover fleet: " + e.getMessage() + "\n" + USAGE + FleetOptions.HELP);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("drover fleet: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("drover fleet: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("drover fleet: " + e.getMessage());
            return 1;
        }
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
