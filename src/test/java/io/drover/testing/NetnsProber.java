package io.drover.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link TcpPeer} prober running inside a network namespace: answers whether a TCP connection from there
 * succeeds, times out (dropped) or is refused, as that namespace's routes, addresses and firewalls decide.
 * {@link #close()} ends it; it also ends by itself when the test JVM goes away (its stdin closes).
 */
public final class NetnsProber implements AutoCloseable {
    private final String namespace;
    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private NetnsProber(String namespace, Process process) {
        this.namespace = namespace;
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts a prober in {@code namespace} (a name in {@code ip netns list}). */
    public static NetnsProber start(String namespace) throws IOException {
        return new NetnsProber(namespace, startPeer(namespace, "probe"));
    }

    /** Starts {@code TcpPeer MODE} in {@code namespace} with the test JVM's java and classes: a small, quickly starting JVM. */
    static Process startPeer(String namespace, String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes;
        try {
            classes = Path.of(TcpPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        return new ProcessBuilder("ip", "netns", "exec", namespace, java, "-Xmx32m", "-XX:TieredStopAtLevel=1",
                "-cp", classes, TcpPeer.class.getName(), mode).start();
    }

    /**
     * Connects to {@code address:port}: {@code connected GREETING} (the first line the server sent),
     * {@code timeout} (dropped), {@code no greeting}, {@code refused} or {@code error ...}.
     */
    public synchronized String connect(String address, int port, Duration timeout) throws IOException {
        in.write(address + " " + port + " " + timeout.toMillis() + "\n");
        in.flush();
        String answer = readLine(out, process);
        if (answer == null) {
            throw new IOException("the prober in " + namespace + " ended: " + stderr(process));
        }
        return answer;
    }

    /** The prober's process, to prove it is gone after {@link #close()}. */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One line, or null when the process ended; never waits more than 30 s (a JVM start on a busy machine). */
    static String readLine(BufferedReader reader, Process process) throws IOException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("no answer within 30 s from " + process.info().commandLine().orElse("a helper process"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }

    static String stderr(Process process) {
        try {
            if (process.isAlive()) {
                return "";
            }
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
