package io.drover.agent;

import io.drover.security.KeyFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * {@code drover-agent keys create --name NAME [--dir DIR]}: this node's key pair, made on the node so its private
 * key never travels. Issuing certificates and the fleet issuer are the runner's ({@code drover keys}), so the
 * slim agent jar carries no command-line library. Exit codes: 0 done, 1 the files cannot be written, 2 bad usage.
 */
final class NodeKeyCommand {
    static final String USAGE = """
            Usage: drover-agent keys create --name NAME [--dir DIR]
              --name NAME   key name, e.g. node: NAME.key (private, mode 600) and NAME.pub
              --dir DIR     where to write them (/etc/drover for the packaged agent), default ~/.drover/keys
            Then have NAME.pub certified where the fleet issuer key is kept (drover keys issue ... --out node.crt).
            """;

    private NodeKeyCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !args[0].equals("create")) {
            err.print("drover-agent keys: " + (args.length == 0 ? "say create" : "the agent only creates its node key; "
                    + "create-issuer, issue and list are 'drover keys ...' where the fleet issuer key is kept") + "\n" + USAGE);
            return 2;
        }
        String name = null;
        Path dir = Path.of(System.getProperty("user.home"), ".drover", "keys");
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            if (!args[i].equals("--name") && !args[i].equals("--dir")) {
                err.print("drover-agent keys: unknown argument '" + io.drover.protocol.Names.printable(args[i]) + "'\n" + USAGE);
                return 2;
            }
            if (i + 1 >= args.length) {
                err.print("drover-agent keys: " + args[i] + " needs a value\n" + USAGE);
                return 2;
            }
            if (args[i].equals("--name")) {
                name = args[++i];
            } else {
                dir = Path.of(args[++i]);
            }
        }
        if (name == null) {
            err.print("drover-agent keys: --name is required\n" + USAGE);
            return 2;
        }
        try {
            Path key = KeyFiles.create(dir, name);
            out.println("Created " + key + " (private, mode 600: keep it secret) and " + dir.resolve(name + ".pub") + ".");
            out.println("Have " + name + ".pub certified where the fleet issuer key is kept: drover keys issue --issuer ISSUER.key "
                    + "--name NODE --node-key " + name + ".pub --out NODE.crt,");
            out.println("and copy the certificate here as security.node_certificate (default /etc/drover/node.crt).");
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("drover-agent keys: " + e.getMessage());
            return 2;
        } catch (FileAlreadyExistsException e) {
            err.println("drover-agent keys: " + e.getReason() + ": " + e.getFile());
            return 1;
        } catch (IOException e) {
            err.println("drover-agent keys: " + e.getMessage());
            return 1;
        }
    }
}
