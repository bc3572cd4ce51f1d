package io.drover.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lab's web application: what the lab's {@code mywebapp} package runs as its systemd service. Listens on
 * every IPv4 address at {@code PORT} and greets each connection with {@code mywebapp VERSION}, the version read
 * from {@code VERSION_FILE} at start, so a probe sees which version is really serving. Only JDK classes: the
 * package carries it as a jar run by the host's java.
 *
 * <pre>java -jar mywebapp.jar PORT VERSION_FILE</pre>
 */
public final class MyWebApp {
    private MyWebApp() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        byte[] greeting = ("mywebapp " + Files.readString(Path.of(args[1])).strip() + "\n").getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName("0.0.0.0"))) {
            while (true) {
                try (Socket client = server.accept()) {
                    client.getOutputStream().write(greeting);
                } catch (IOException e) {
                    // one failed connection does not stop the service
                }
            }
        }
    }
}
