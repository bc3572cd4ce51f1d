package io.drover.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny TCP service for the service provider tests: listens on 127.0.0.1:PORT, greets and closes each
 * connection, until it is stopped. Started by {@link #command(int)}, i.e. the test JVM's java and classes.
 */
public final class TcpListener {
    private TcpListener() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            while (true) {
                try (Socket client = server.accept()) {
                    client.getOutputStream().write("drover\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
    }

    /** The real path of the test JVM's java, as /proc/PID/exe shows it. */
    public static String java() throws IOException {
        return Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath().toString();
    }

    /** The JVM options and arguments that run this listener on {@code port}, after the java program. */
    public static List<String> arguments(int port) {
        // A small, quickly starting JVM: it only accepts connections.
        return List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", classes(),
                TcpListener.class.getName(), String.valueOf(port));
    }

    /** The directory this class was loaded from (target/test-classes). */
    public static String classes() {
        try {
            return Path.of(TcpListener.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
