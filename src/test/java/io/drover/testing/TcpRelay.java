package io.drover.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay on 127.0.0.1 to a local port, so a test can cut one client's connection to a broker while the
 * broker and everyone else stay up: {@link #cut(boolean)} drops every relayed connection and, while cut, refuses
 * new ones (accepts and closes them at once). Threads are daemons; {@link #close()} stops everything.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new ArrayList<>();
    /** Broker-side sockets left open and silent by {@link #loseClients()}: the pumps must not close them. */
    private final java.util.Set<Socket> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    public TcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-relay " + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code true}: drops every relayed connection and refuses new ones; {@code false}: relays again. */
    public void cut(boolean value) {
        cut = value;
        if (value) {
            synchronized (open) {
                open.forEach(TcpRelay::closeQuietly);
                open.clear();
            }
        }
    }

    /**
     * Closes the client side of every relayed connection and leaves the target's side open and silent, as a network
     * that lost the client without a word would: the client notices at once and reconnects (new connections are
     * relayed as usual), while the broker holds the old connection until its heartbeat gives up on it.
     */
    public void loseClients() {
        synchronized (open) {
            for (int i = 0; i + 1 < open.size(); i += 2) {
                held.add(open.get(i + 1));
                closeQuietly(open.get(i));
            }
            open.clear();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                synchronized (open) {
                    open.add(client);
                    open.add(upstream);
                }
                pump(client, upstream, held);
                pump(upstream, client, held);
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection fail and retries
            }
        }
    }

    private static void pump(Socket from, Socket to, java.util.Set<Socket> held) {
        Thread thread = new Thread(() -> {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                in.transferTo(out);
            } catch (IOException e) {
                // one side went away
            } finally {
                for (Socket socket : List.of(from, to)) {
                    if (!held.contains(socket)) {
                        closeQuietly(socket);
                    }
                }
            }
        }, "tcp-relay pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cut(true);
        held.forEach(TcpRelay::closeQuietly);
        held.clear();
    }
}
