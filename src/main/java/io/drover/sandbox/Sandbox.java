package io.drover.sandbox;

import io.drover.agent.NodeSpec;
import io.drover.security.ReplySigner;
import io.drover.security.ReplyVerifier;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;
import io.drover.transport.BrokerConnector;
import io.drover.transport.embedded.EmbeddedBroker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The zero-install default: an embedded Qpid broker on a free loopback port and an emulated fleet on it.
 * Everything lives in this JVM and is gone after {@link #close()}.
 */
public final class Sandbox implements AutoCloseable {
    private final EmbeddedBroker broker;
    private final BrokerConnector connector;
    private final EmulatedFleet fleet;
    private final Path fleetFile;
    private final ReplyVerifier replyVerifier;

    private Sandbox(EmbeddedBroker broker, BrokerConnector connector, EmulatedFleet fleet, Path fleetFile, ReplyVerifier replyVerifier) {
        this.broker = broker;
        this.connector = connector;
        this.fleet = fleet;
        this.fleetFile = fleetFile;
        this.replyVerifier = replyVerifier;
    }

    /** Verifies the replies of this sandbox's nodes; {@code null} when they do not sign (the unsigned test sandbox). */
    public ReplyVerifier replyVerifier() {
        return replyVerifier;
    }

    /** Starts a broker and the fleet described in {@code fleetFile}, its nodes obeying unsigned requests (tests). */
    public static Sandbox start(Path fleetFile) throws IOException, TimeoutException {
        return start(fleetFile, RequestSecurity.none());
    }

    /**
     * Starts a broker and the fleet described in {@code fleetFile}, its nodes obeying only {@code callers} and
     * signing their replies with certificates of a throwaway issuer ({@link #replyVerifier()} trusts it).
     */
    public static Sandbox start(Path fleetFile, TrustedKeys callers) throws IOException, TimeoutException {
        FleetSpec spec = FleetSpec.load(fleetFile);
        SandboxIssuer issuer = SandboxIssuer.create();
        ReplySigner signer = issuer.enrol(spec.nodes().stream().map(NodeSpec::identity).toList());
        return start(spec, fleetFile, new RequestSecurity(new RequestVerifier(callers), null, null, signer), issuer.verifier());
    }

    private static Sandbox start(Path fleetFile, RequestSecurity security) throws IOException, TimeoutException {
        return start(FleetSpec.load(fleetFile), fleetFile, security, null);
    }

    private static Sandbox start(FleetSpec spec, Path fleetFile, RequestSecurity security, ReplyVerifier verifier)
            throws IOException, TimeoutException {
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults());
        try {
            BrokerConnector connector = BrokerConnector.of(List.of(broker.amqpUri()));
            EmulatedFleet fleet = EmulatedFleet.start(spec, connector, "drover sandbox fleet", security);
            return new Sandbox(broker, connector, fleet, fleetFile, verifier);
        } catch (IOException | TimeoutException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public BrokerConnector broker() {
        return connector;
    }

    public EmulatedFleet fleet() {
        return fleet;
    }

    public int port() {
        return broker.port();
    }

    /** One line saying what runs, for the log. */
    public String describe() {
        return "embedded broker on 127.0.0.1:" + broker.port() + " with " + fleet.size() + " emulated nodes from " + fleetFile
                + " (collective " + fleet.collective() + ")";
    }

    @Override
    public void close() {
        try {
            fleet.close();
        } finally {
            broker.close();
        }
    }
}
