package io.drover.cli;

import io.drover.agent.AgentMain;

import java.util.Arrays;

/** The {@code drover} command: {@code drover agent ...}, {@code drover keys ...}. */
public final class Main {
    static final String USAGE = """
            Usage: drover COMMAND [ARGS]
              agent --config FILE   run the node agent (same as java -jar drover-agent.jar)
              keys create|list      manage Ed25519 keys of callers and nodes
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "agent" -> AgentMain.run(rest);
            case "keys" -> KeysCommand.run(rest, System.out, System.err);
            default -> {
                System.err.print("drover: unknown command '" + args[0] + "'\n" + USAGE);
                yield 2;
            }
        };
    }
}
