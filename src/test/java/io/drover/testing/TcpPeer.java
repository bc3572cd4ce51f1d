package io.drover.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A tiny TCP peer run as its own JVM inside a network namespace ({@code ip netns exec NS java ... TcpPeer MODE}),
 * so tests need neither nc nor python. Only JDK classes: it runs from the test classes directory alone.
 *
 * <ul>
 *   <li>{@code listen}: listens on every address (IPv4 and IPv6) on a free port, prints {@code listening PORT},
 *       and greets each connection with {@code drover};</li>
 *   <li>{@code probe}: reads {@code HOST PORT TIMEOUT_MS} lines and answers each with {@code connected GREETING},
 *       {@code timeout} (the connection attempt went unanswered, as when a firewall drops it), {@code no greeting}
 *       (connected, but nothing was sent in time), {@code refused} or {@code error MESSAGE}.</li>
 * </ul>
 * Both exit when their standard input closes, so they never outlive the test JVM that started them.
 */
public final class TcpPeer {
    static final String GREETING = "drover";

    private TcpPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("listen")) {
            listen();
        } else if (args.length == 1 && args[0].equals("probe")) {
            probe();
        } else {
            System.err.println("usage: TcpPeer listen|probe");
            System.exit(2);
        }
    }

    private static void listen() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("::"));
        Thread acceptor = new Thread(() -> {
            while (true) {
                try (Socket socket = server.accept()) {
                    OutputStream out = socket.getOutputStream();
                    out.write((GREETING + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    // one failed connection does not stop the listener
                }
            }
        }, "accept");
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println("listening " + server.getLocalPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close stdin (or die)
        }
        System.exit(0);
    }

    private static void probe() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split(" ");
            System.out.println(connect(words[0], Integer.parseInt(words[1]), Integer.parseInt(words[2])));
            System.out.flush();
        }
    }

    private static String connect(String host, int port, int timeoutMs) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), timeoutMs);
            } catch (SocketTimeoutException e) {
                return "timeout"; // the SYN went unanswered: dropped
            }
            socket.setSoTimeout(timeoutMs);
            String greeting = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return "connected " + greeting;
        } catch (SocketTimeoutException e) {
            return "no greeting"; // connected, but the server was too slow to greet
        } catch (ConnectException e) {
            return e.getMessage() != null && e.getMessage().contains("refused") ? "refused" : "error " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "error " + e;
        }
    }
}
