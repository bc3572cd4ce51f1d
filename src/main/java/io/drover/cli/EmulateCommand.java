package io.drover.cli;

import io.drover.agent.FatalErrorHandler;
import io.drover.agent.NodeHost;
import io.drover.agent.NodeSpec;
import io.drover.runner.Constants;
import io.drover.sandbox.EmulatedFleet;
import io.drover.sandbox.FleetSpec;
import io.drover.sandbox.FleetTemplate;
import io.drover.sandbox.SandboxIssuer;
import io.drover.security.KeyFiles;
import io.drover.security.ReplySigner;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;
import io.drover.transport.BrokerConnector;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code drover emulate --nodes N --broker URI [--fleet template.yaml]}: hosts N emulated agents in this JVM (the
 * real agent code with sandbox providers) until stopped, for trying Drover at scale and for the benchmark.
 */
final class EmulateCommand {
    static final String USAGE = """
            Usage: drover emulate --nodes N [--broker URI] [--fleet TEMPLATE] [--collective NAME]
                                  (--trust DIR | --allow-unsigned) [--issuer ISSUER.key]
              --nodes N          how many nodes: node-00001, node-00002, ...
              --broker URI       broker (default: DROVER_BROKER / -Ddrover.broker)
              --fleet TEMPLATE   classes and facts to draw from (default sandbox/emulator.yaml)
              --collective NAME  collective (default: the template's)
              --trust DIR        obey requests signed by the caller keys in DIR
              --allow-unsigned   obey unsigned requests (a lab only)
              --issuer FILE      enrol every node with this fleet issuer key, so replies are signed and runners
                                 trusting ISSUER.pub accept them; without it replies are unsigned and runners
                                 need -Ddrover.insecure.accept-unsigned-replies=true
              --threads N        threads running actions (default: twice the cores)
            """;

    private EmulateCommand() {
    }

    /** Heap in use after a full collection, in bytes. */
    private static long heapInUse() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments arguments;
        int nodes;
        try {
            arguments = Arguments.parse(args, Set.of("--nodes", "--broker", "--fleet", "--collective", "--trust", "--threads", "--issuer"),
                    Set.of("--allow-unsigned"));
            if (!arguments.positionals().isEmpty()) {
                throw new Arguments.UsageException("unexpected " + arguments.positionals());
            }
            nodes = Integer.parseInt(String.valueOf(arguments.value("--nodes")));
            if (nodes < 1 || nodes > 100_000) {
                throw new Arguments.UsageException("--nodes must be 1 to 100000");
            }
            if (arguments.has("--trust") == arguments.has("--allow-unsigned")) {
                throw new Arguments.UsageException("give either --trust DIR (the callers' public keys) or --allow-unsigned");
            }
        } catch (Arguments.UsageException | NumberFormatException e) {
            err.print("drover emulate: " + (e instanceof NumberFormatException ? "--nodes needs a number" : e.getMessage()) + "\n" + USAGE);
            return 2;
        }
        String broker = arguments.has("--broker") ? arguments.value("--broker")
                : System.getProperty(Constants.BROKER_PROPERTY_NAME, System.getenv("DROVER_BROKER"));
        if (broker == null) {
            err.print("drover emulate: no broker: give --broker or set DROVER_BROKER\n" + USAGE);
            return 2;
        }
        try {
            FleetSpec spec = FleetTemplate.load(Path.of(arguments.has("--fleet") ? arguments.value("--fleet") : "sandbox/emulator.yaml"))
                    .fleet(nodes, arguments.value("--collective"));
            ReplySigner signer = null;
            if (arguments.has("--issuer")) {
                Path issuer = Path.of(arguments.value("--issuer"));
                String file = issuer.getFileName().toString();
                signer = SandboxIssuer.enrol(spec.nodes().stream().map(NodeSpec::identity).toList(),
                        file.endsWith(".key") ? file.substring(0, file.length() - 4) : file, KeyFiles.readPrivate(issuer));
            }
            RequestSecurity security = new RequestSecurity(arguments.has("--trust")
                    ? new RequestVerifier(TrustedKeys.load(Path.of(arguments.value("--trust")))) : null, null, null, signer);
            BrokerConnector connector = BrokerConnector.of(broker);
            long baseline = heapInUse();
            long started = System.nanoTime();
            int threads = arguments.has("--threads") ? Integer.parseInt(arguments.value("--threads"))
                    : NodeHost.Options.fleet("x").threads();
            EmulatedFleet fleet = EmulatedFleet.start(spec, connector, security,
                    new NodeHost.Options("drover emulator", threads, 100_000, 200, FatalErrorHandler.stopNode()));
            long readyMs = (System.nanoTime() - started) / 1_000_000;
            long heap = heapInUse();
            out.println("drover emulate: " + nodes + " nodes ready in " + readyMs + " ms (collective " + spec.collective()
                    + ", broker " + connector + ", " + (arguments.has("--trust") ? "signed requests only" : "UNSIGNED requests obeyed")
                    + ", " + (signer != null ? "replies signed" : "UNSIGNED replies")
                    + "); heap in use " + heap / 1024 + " KB, " + (heap - baseline) / nodes + " bytes per node over "
                    + baseline / 1024 + " KB before the nodes");
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                fleet.close();
                stopped.countDown();
            }, "drover emulate stop"));
            stopped.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            err.println("drover emulate: " + e.getMessage());
            return 1;
        }
    }
}
