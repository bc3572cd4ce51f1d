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
                   drover keys create-issuer --name ISSUER [--dir DIR]
                   drover keys issue --issuer ISSUER.key --name NODE --node-key NODE.pub --out NODE.crt [--days N]
                   drover keys list [--dir DIR]
              --name NAME      key name; for a caller it is the caller name agents see (e.g. alice);
                               for issue, the node's identity
              --dir DIR        where keys live, default ~/.drover/keys
              --issuer FILE    the fleet issuer's private key (from create-issuer)
              --node-key FILE  the node's public key (NODE.pub, made on the node with keys create)
              --out FILE       where to write the node certificate
              --days N         validity of the certificate, default 365
            """;
    private static final java.util.Set<String> WITH_VALUE = java.util.Set.of("--name", "--dir", "--issuer", "--node-key", "--out", "--days");

    private KeysCommand() {
    }

    /** Runs the command; returns the exit code (0 done, 1 failed, 2 bad usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        java.util.Map<String, String> options = new java.util.HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!WITH_VALUE.contains(args[i])) {
                err.print("drover keys: unknown argument '" + args[i] + "'\n" + USAGE);
                return 2;
            }
            if (i + 1 >= args.length) {
                err.print("drover keys: " + args[i] + " needs a value\n" + USAGE);
                return 2;
            }
            options.put(args[i], args[++i]);
        }
        String name = options.get("--name");
        Path dir = options.containsKey("--dir") ? Path.of(options.get("--dir"))
                : Path.of(System.getProperty("user.home"), ".drover", "keys");
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
                case "create-issuer":
                    if (name == null) {
                        err.print("drover keys create-issuer: --name is required\n" + USAGE);
                        return 2;
                    }
                    Path issuerKey = KeyFiles.create(dir, name);
                    out.println("Created the fleet issuer " + issuerKey + " (private, mode 600: keep it offline, it enrols nodes) and "
                            + dir.resolve(name + ".pub") + ".");
                    out.println("Enrol each node with: drover keys issue --issuer " + issuerKey + " --name NODE --node-key NODE.pub --out NODE.crt");
                    out.println("and run deploys with -Ddrover.issuer=" + dir.resolve(name + ".pub") + ".");
                    return 0;
                case "issue":
                    return issue(options, out, err);
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
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            err.println("drover keys: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("drover keys: " + (e instanceof java.nio.file.FileAlreadyExistsException f ? f.getReason() + ": " + f.getFile()
                    : e.getMessage()));
            return 1;
        }
    }

    private static int issue(java.util.Map<String, String> options, PrintStream out, PrintStream err) throws IOException {
        for (String required : java.util.List.of("--issuer", "--name", "--node-key", "--out")) {
            if (!options.containsKey(required)) {
                err.print("drover keys issue: " + required + " is required\n" + USAGE);
                return 2;
            }
        }
        long days;
        try {
            days = Long.parseLong(options.getOrDefault("--days", "365"));
        } catch (NumberFormatException e) {
            days = -1;
        }
        if (days < 1 || days > 36_500) {
            err.print("drover keys issue: --days must be a whole number from 1 to 36500\n" + USAGE);
            return 2;
        }
        Path issuerFile = Path.of(options.get("--issuer"));
        String file = issuerFile.getFileName().toString();
        String issuerName = file.endsWith(".key") ? file.substring(0, file.length() - 4) : file;
        Path outFile = Path.of(options.get("--out"));
        if (Files.exists(outFile)) {
            err.println("drover keys issue: " + outFile + " exists; remove it first or choose another --out");
            return 1;
        }
        java.time.Instant now = java.time.Instant.now();
        NodeCertificate certificate = NodeCertificate.issue(options.get("--name"), KeyFiles.readPublic(Path.of(options.get("--node-key"))),
                issuerName, KeyFiles.readPrivate(issuerFile), now.minus(java.time.Duration.ofMinutes(5)),
                now.plus(java.time.Duration.ofDays(days)));
        certificate.write(outFile);
        out.println("Wrote " + outFile + ": " + certificate + ".");
        out.println("Copy it to the node as its security.node_certificate (default /etc/drover/node.crt).");
        return 0;
    }
}
