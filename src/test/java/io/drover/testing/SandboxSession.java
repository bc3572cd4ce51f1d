package io.drover.testing;

import io.drover.client.ClientOptions;
import io.drover.client.DroverClient;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.sandbox.Sandbox;

import java.nio.file.Path;

/**
 * The sandbox fleet ({@code sandbox/fleet.yaml}) with a runner session on it, installed as the current session for
 * the feature runs of a test; {@link #close()} puts the previous session back and closes this one with its sandbox.
 */
public final class SandboxSession implements AutoCloseable {
    private final Sandbox sandbox;
    private final DroverSession session;
    private final DroverSession previous;

    private SandboxSession(Sandbox sandbox, DroverSession session) {
        this.sandbox = sandbox;
        this.session = session;
        this.previous = DroverSession.install(session);
    }

    /** Starts the sandbox, connects a client with the default options and installs its session. */
    public static SandboxSession start() throws Exception {
        Sandbox sandbox = Sandbox.start(Path.of("sandbox/fleet.yaml"));
        DroverClient client = DroverClient.connect(sandbox.broker(), ClientOptions.defaults());
        return new SandboxSession(sandbox, DroverSession.of(RunnerConfig.fromEnvironment(), client, sandbox));
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public DroverSession session() {
        return session;
    }

    @Override
    public void close() {
        DroverSession.install(previous);
        session.close();
    }
}
