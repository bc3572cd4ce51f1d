package io.drover.security;


import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code drover keys create --name NAME [--dir DIR]}: a caller's (or node's) Ed25519 key pair;
 * {@code drover keys list [--dir DIR]}: the keys in a directory.
 */
public final class KeysCommand {
    public static final String USAGE = """
            Usage: drover keys create --name NAME [--dir DIR]
                   drover keys list [--dir DIR]
              --name NAME  key name; for a caller it is the caller name agents see (e.g. alice)
              --dir DIR    where keys live, default ~/.drover/keys
            """;

    private KeysCommand() {
    }

    /** Runs the command; returns the exit code (0 done, 1 failed, 2 bad usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String name = null;
        Path dir = Path.of(System.getProperty("user.home"), ".drover", "keys");
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--name" -> {
                    if (++i >= args.length) {
                        err.print("drover keys: --name needs a value\n" + USAGE);
                        return 2;
                    }
                    name = args[i];
                }
                case "--dir" -> {
                    if (++i >= args.length) {
                        err.print("drover keys: --dir needs a value\n" + USAGE);
                        return 2;
                    }
                    dir = Path.of(args[i]);
                }
                default -> {
                    err.print("drover keys: unknown argument '" + args[i] + "'\n" + USAGE);
                    return 2;
                }
            }
        }
        try {
            switch (args[0]) {
                case "create":
                    if (name == null) {
                        err.print("drover keys create: --name is required\n" + USAGE);
                        return 2;
                    }
                    Path key = KeyFiles.create(dir, name);
                    out.println("Created " + key + " (private, mode 600: keep it secret) and " + dir.resolve(name + ".pub") + ".");
                    out.println("Put " + name + ".pub into the trusted callers directory of every agent that should obey "
                            + name + " (security.trusted_callers, default /etc/drover/callers),");
                    out.println("and run deploys with -Ddrover.key=" + key + ".");
                    return 0;
                case "list":
                    if (!Files.isDirectory(dir)) {
                        err.println("drover keys list: " + dir + " does not exist");
                        return 1;
                    }
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{key,pub}")) {
                        for (Path file : files) {
                            out.println(file.getFileName());
                        }
                    }
                    return 0;
                default:
                    err.print("drover keys: unknown command '" + args[0] + "'\n" + USAGE);
                    return 2;
            }
        } catch (IllegalArgumentException e) {
            err.println("drover keys: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("drover keys: " + (e instanceof java.nio.file.FileAlreadyExistsException f ? f.getReason() + ": " + f.getFile()
                    : e.getMessage()));
            return 1;
        }
    }
}
