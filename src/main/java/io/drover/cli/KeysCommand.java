package io.drover.cli;

import io.drover.security.KeyFiles;
import io.drover.security.NodeCertificate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code drover keys create|create-issuer|issue|list}: Ed25519 keys of callers and nodes, the fleet issuer, and
 * the certificates it gives nodes. Exit codes: 0 done, 1 a file cannot be read or written, 2 bad usage.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "(create | create-issuer | issue | list)",
        description = "Manage Ed25519 keys of callers and nodes, and enrol nodes with the fleet issuer.")
final class KeysCommand implements Callable<Integer> {
    private static final String DIR_HELP = "where keys live, default ~/.drover/keys";

    private final PrintStream out;
    private final PrintStream err;
    @Spec
    private CommandSpec spec;

    KeysCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code drover keys ARGS}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Main.execute(Main.configure(new CommandLine(new KeysCommand(out, err)), out, err), args);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "say create, create-issuer, issue or list");
    }

    private static Path dir(String dir) {
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".drover", "keys");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "A caller's (or node's) key pair: NAME.key and NAME.pub.")
    int create(@Option(names = "--name", required = true, paramLabel = "NAME",
                       description = "key name; for a caller it is the caller name agents see (e.g. alice)") String name,
               @Option(names = "--dir", paramLabel = "DIR", description = DIR_HELP) String dir) throws IOException {
        Path keys = dir(dir);
        Path key = createKey(keys, name);
        if (key == null) {
            return ExitCodes.HOSTS_FAILED;
        }
        out.println("Created " + key + " (private, mode 600: keep it secret) and " + keys.resolve(name + ".pub") + ".");
        out.println("Put " + name + ".pub into the trusted callers directory of every agent that should obey "
                + name + " (security.trusted_callers, default /etc/drover/callers),");
        out.println("and run deploys with -Ddrover.key=" + key + ".");
        return ExitCodes.OK;
    }

    @Command(name = "create-issuer", mixinStandardHelpOptions = true, description = "The fleet issuer's key pair, which enrols nodes.")
    int createIssuer(@Option(names = "--name", required = true, paramLabel = "ISSUER", description = "the issuer's name") String name,
                     @Option(names = "--dir", paramLabel = "DIR", description = DIR_HELP) String dir) throws IOException {
        Path keys = dir(dir);
        Path issuerKey = createKey(keys, name);
        if (issuerKey == null) {
            return ExitCodes.HOSTS_FAILED;
        }
        out.println("Created the fleet issuer " + issuerKey + " (private, mode 600: keep it offline, it enrols nodes) and "
                + keys.resolve(name + ".pub") + ".");
        out.println("Enrol each node with: drover keys issue --issuer " + issuerKey + " --name NODE --node-key NODE.pub --out NODE.crt");
        out.println("and run deploys with -Ddrover.issuer=" + keys.resolve(name + ".pub") + ".");
        return ExitCodes.OK;
    }

    /** The new private key, or null when one of the files exists (said on stderr). */
    private Path createKey(Path dir, String name) throws IOException {
        try {
            return KeyFiles.create(dir, name);
        } catch (FileAlreadyExistsException e) {
            err.println("drover keys: " + e.getReason() + ": " + e.getFile());
            return null;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Certify a node's public key with the fleet issuer: the node's NODE.crt.")
    int issue(@Option(names = "--issuer", required = true, paramLabel = "FILE",
                      description = "the fleet issuer's private key (from create-issuer)") Path issuerFile,
              @Option(names = "--name", required = true, paramLabel = "NODE", description = "the node's identity") String name,
              @Option(names = "--node-key", required = true, paramLabel = "FILE",
                      description = "the node's public key (NODE.pub, made on the node with keys create)") Path nodeKey,
              @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the node certificate")
              Path outFile,
              @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "validity of the certificate, default 365")
              String daysText) throws IOException {
        CommandLine issue = spec.commandLine().getSubcommands().get("issue");
        long days;
        try {
            days = Long.parseLong(daysText);
        } catch (NumberFormatException e) {
            days = -1;
        }
        if (days < 1 || days > 36_500) {
            throw new ParameterException(issue, "--days must be a whole number from 1 to 36500");
        }
        String file = issuerFile.getFileName().toString();
        String issuerName = file.endsWith(".key") ? file.substring(0, file.length() - 4) : file;
        if (Files.exists(outFile)) {
            err.println("drover keys issue: " + outFile + " exists; remove it first or choose another --out");
            return ExitCodes.HOSTS_FAILED;
        }
        Instant now = Instant.now();
        NodeCertificate certificate;
        try {
            certificate = NodeCertificate.issue(name, KeyFiles.readPublic(nodeKey), issuerName, KeyFiles.readPrivate(issuerFile),
                    now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(days)));
        } catch (DateTimeException | ArithmeticException e) {
            throw new ParameterException(issue, e.getMessage());
        }
        certificate.write(outFile);
        out.println("Wrote " + outFile + ": " + certificate + ".");
        out.println("Copy it to the node as its security.node_certificate (default /etc/drover/node.crt).");
        return ExitCodes.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The keys in a directory.")
    int list(@Option(names = "--dir", paramLabel = "DIR", description = DIR_HELP) String dir) throws IOException {
        Path keys = dir(dir);
        if (!Files.isDirectory(keys)) {
            err.println("drover keys list: " + keys + " does not exist");
            return ExitCodes.HOSTS_FAILED;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(keys, "*.{key,pub}")) {
            for (Path file : files) {
                out.println(file.getFileName());
            }
        }
        return ExitCodes.OK;
    }
}
