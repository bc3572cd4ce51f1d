package io.drover.cli;

import io.drover.agent.AgentMain;
import io.drover.security.KeysCommand;

import java.util.Arrays;

/** The {@code drover} command: {@code drover agent ...}, {@code drover keys ...}. */
public final class Main {
    static final String USAGE = """
            Usage: drover COMMAND [ARGS]
              ping [FILTERS]                      discover the hosts and ping each one
              discover [FILTERS]                  list the hosts matching the filters
              inventory NODE                      a node's agents, classes and facts
              rpc AGENT ACTION [k=v]... [FILTERS] run an action on every matching host
              fleet list|forget HOST              the fleet registry: who must answer discovery
              agent --config FILE                 run the node agent (same as java -jar drover-agent.jar)
              keys create|list                    manage Ed25519 keys of callers and nodes
              emulate --nodes N                   host N emulated agents in this JVM
              broker setup --runner U --node N    least-privilege RabbitMQ users and permissions
            Exit codes: 0 every host OK, 1 some host failed or did not answer, 2 bad usage.
            'drover COMMAND --help' tells more.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    private static int help(String command) {
        String usage = switch (command) {
            case "ping" -> new PingCommand(System.out, System.err).usage() + FleetOptions.HELP;
            case "discover" -> new DiscoverCommand(System.out, System.err).usage() + FleetOptions.HELP;
            case "inventory" -> new InventoryCommand(System.out, System.err).usage() + FleetOptions.HELP;
            case "rpc" -> new RpcCommand(System.out, System.err).usage() + FleetOptions.HELP;
            case "emulate" -> EmulateCommand.USAGE;
            case "keys" -> KeysCommand.USAGE;
            case "fleet" -> RegistryCommand.USAGE + FleetOptions.HELP;
            case "agent" -> AgentMain.USAGE;
            case "broker" -> BrokerSetupCommand.USAGE;
            default -> USAGE;
        };
        System.out.print(usage);
        return 0;
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (rest.length > 0 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
            return help(args[0]);
        }
        return switch (args[0]) {
            case "ping" -> new PingCommand(System.out, System.err).main(rest);
            case "discover" -> new DiscoverCommand(System.out, System.err).main(rest);
            case "inventory" -> new InventoryCommand(System.out, System.err).main(rest);
            case "rpc" -> new RpcCommand(System.out, System.err).main(rest);
            case "emulate" -> EmulateCommand.run(rest, System.out, System.err);
            case "agent" -> AgentMain.run(rest);
            case "keys" -> KeysCommand.run(rest, System.out, System.err);
            case "fleet" -> RegistryCommand.run(rest, System.out, System.err);
            case "broker" -> BrokerSetupCommand.run(rest, System.out, System.err);
            default -> {
                System.err.print("drover: unknown command '" + args[0] + "'\n" + USAGE);
                yield 2;
            }
        };
    }
}
