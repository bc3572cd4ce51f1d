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

import io.drover.error.OperationInterruptedException;
import io.drover.transport.BrokerFailures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * {@code drover emulate --nodes N --broker URI [--fleet template.yaml]}: hosts N emulated agents in this JVM (the
 * real agent code with sandbox providers) until stopped, for trying Drover at scale and for the benchmark.
 */
@Command(name = "emulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Host N emulated agents in this JVM until stopped (the real agent code with sandbox providers).")
final class EmulateCommand implements Callable<Integer> {
    private final PrintStream out;
    @Spec
    private CommandSpec spec;

    @Option(names = "--nodes", required = true, paramLabel = "N", description = "how many nodes: node-00001, node-00002, ...")
    private String nodesText;
    @Option(names = "--broker", paramLabel = "URI", description = "broker (default: DROVER_BROKER / -Ddrover.broker)")
    private String broker;
    @Option(names = "--fleet", paramLabel = "TEMPLATE", description = "classes and facts to draw from (default sandbox/emulator.yaml)")
    private String fleetTemplate;
    @Option(names = "--collective", paramLabel = "NAME", description = "collective (default: the template's)")
    private String collective;
    @Option(names = "--trust", paramLabel = "DIR", description = "obey requests signed by the caller keys in DIR")
    private String trust;
    @Option(names = "--allow-unsigned", description = "obey unsigned requests (a lab only)")
    private boolean allowUnsigned;
    @Option(names = "--issuer", paramLabel = "FILE", description = {"enrol every node with this fleet issuer key (ISSUER.key), so "
            + "replies are signed and runners trusting ISSUER.pub accept them; without it replies are unsigned and runners "
            + "need -Ddrover.insecure.accept-unsigned-replies=true"})
    private String issuer;
    @Option(names = "--threads", paramLabel = "N", description = "threads running actions (default: twice the cores)")
    private String threadsText;

    EmulateCommand(PrintStream out) {
        this.out = out;
    }

    /** Heap in use after a full collection, in bytes. */
    private static long heapInUse() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Override
    public Integer call() throws Exception {
        int nodes;
        try {
            nodes = Integer.parseInt(nodesText);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--nodes needs a number");
        }
        if (nodes < 1 || nodes > 100_000) {
            throw new ParameterException(spec.commandLine(), "--nodes must be 1 to 100000");
        }
        if ((trust != null) == allowUnsigned) {
            throw new ParameterException(spec.commandLine(), "give either --trust DIR (the callers' public keys) or --allow-unsigned");
        }
        String broker = this.broker != null ? this.broker
                : System.getProperty(Constants.BROKER_PROPERTY_NAME, System.getenv("DROVER_BROKER"));
        if (broker == null) {
            throw new ParameterException(spec.commandLine(), "no broker: give --broker or set DROVER_BROKER");
        }
        FleetSpec fleetSpec = FleetTemplate.load(Path.of(fleetTemplate != null ? fleetTemplate : "sandbox/emulator.yaml"))
                .fleet(nodes, collective);
        ReplySigner signer = null;
        if (this.issuer != null) {
            Path issuer = Path.of(this.issuer);
            String file = issuer.getFileName().toString();
            signer = SandboxIssuer.enrol(fleetSpec.nodes().stream().map(NodeSpec::identity).toList(),
                    file.endsWith(".key") ? file.substring(0, file.length() - 4) : file, KeyFiles.readPrivate(issuer));
        }
        RequestSecurity security = new RequestSecurity(trust != null
                ? new RequestVerifier(TrustedKeys.load(Path.of(trust))) : null, null, null, signer);
        BrokerConnector connector = BrokerConnector.of(broker);
        long baseline = heapInUse();
        long started = System.nanoTime();
        int threads = threadsText != null ? Integer.parseInt(threadsText) : NodeHost.Options.fleet("x").threads();
        EmulatedFleet fleet;
        try {
            fleet = EmulatedFleet.start(fleetSpec, connector, security,
                    new NodeHost.Options("drover emulator", threads, 100_000, 200, FatalErrorHandler.stopNode()));
        } catch (IOException | TimeoutException e) {
            throw BrokerFailures.connecting(connector, e);
        }
        long readyMs = (System.nanoTime() - started) / 1_000_000;
        long heap = heapInUse();
        out.println("drover emulate: " + nodes + " nodes ready in " + readyMs + " ms (collective " + fleetSpec.collective()
                + ", broker " + connector + ", " + (trust != null ? "signed requests only" : "UNSIGNED requests obeyed")
                + ", " + (signer != null ? "replies signed" : "UNSIGNED replies")
                + "); heap in use " + heap / 1024 + " KB, " + (heap - baseline) / nodes + " bytes per node over "
                + baseline / 1024 + " KB before the nodes");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            fleet.close();
            stopped.countDown();
        }, "drover emulate stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationInterruptedException("interrupted while hosting the emulated nodes", e);
        }
        return ExitCodes.OK;
    }
}
