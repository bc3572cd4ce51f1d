package io.drover.agent.facts;

import io.drover.catalog.IpAddress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Facts every agent knows about its host without any tool: {@code hostname}, {@code fqdn}, {@code os},
 * {@code kernel}, {@code architecture}, {@code networking} and {@code ip_addresses}, {@code processors},
 * {@code memory}. Read from {@code /proc}, {@code /etc/os-release} and the JDK, under a root
 * directory so tests can point them at fixtures.
 */
public final class BuiltinFacts {
    private final Path root;

    BuiltinFacts(Path root) {
        this.root = root;
    }

    /** The facts of this host. */
    public static Map<String, Object> collect() {
        return new BuiltinFacts(Path.of("/")).read();
    }

    Map<String, Object> read() {
        Map<String, Object> facts = new LinkedHashMap<>();
        String hostname = firstLine("proc/sys/kernel/hostname").orElse(javaHostname());
        facts.put("hostname", shortName(hostname));
        facts.put("fqdn", fqdn(hostname));
        facts.put("os", OsRelease.fact(OsRelease.parse(lines("etc/os-release"))));
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("name", System.getProperty("os.name", "Linux"));
        firstLine("proc/sys/kernel/osrelease").ifPresent(release -> kernel.put("release", release));
        firstLine("proc/sys/kernel/version").ifPresent(version -> kernel.put("version", version));
        facts.put("kernel", kernel);
        facts.put("architecture", architecture(System.getProperty("os.arch", "unknown")));
        Map<String, Object> networking = networking();
        facts.put("networking", networking);
        facts.put("ip_addresses", networking.remove("addresses"));
        Map<String, Object> processors = new LinkedHashMap<>();
        long cpus = lines("proc/cpuinfo").stream().filter(line -> line.startsWith("processor")).count();
        processors.put("count", cpus > 0 ? cpus : Runtime.getRuntime().availableProcessors());
        processors.put("available", Runtime.getRuntime().availableProcessors());
        facts.put("processors", processors);
        memoryMb().ifPresent(mb -> facts.put("memory", Map.of("total_mb", mb)));
        return facts;
    }

    static String architecture(String javaArch) {
        return switch (javaArch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> javaArch;
        };
    }

    private java.util.Optional<Long> memoryMb() {
        for (String line : lines("proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.split("\\s+");
                try {
                    return java.util.Optional.of(Long.parseLong(parts[1]) / 1024);
                } catch (RuntimeException e) {
                    return java.util.Optional.empty();
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** {@code {ip, ip6, interfaces: {eth0: {ip, ip6, mac}}}} and, under "addresses", every non-loopback address. */
    private static Map<String, Object> networking() {
        Map<String, Object> networking = new LinkedHashMap<>();
        Map<String, Object> interfaces = new LinkedHashMap<>();
        List<String> addresses = new ArrayList<>();
        try {
            List<NetworkInterface> all = Collections.list(NetworkInterface.getNetworkInterfaces());
            all.sort((a, b) -> a.getName().compareTo(b.getName()));
            for (NetworkInterface nic : all) {
                if (!nic.isUp()) {
                    continue;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                for (InterfaceAddress address : nic.getInterfaceAddresses()) {
                    InetAddress inet = address.getAddress();
                    // One spelling per address (2001:db8::1, not 2001:db8:0:0:0:0:0:1), as filters and the firewall use.
                    String text = IpAddress.parse(inet.getHostAddress().replaceAll("%.*$", "")).toString();
                    String key = inet instanceof Inet4Address ? "ip" : "ip6";
                    entry.putIfAbsent(key, text);
                    if (!nic.isLoopback() && !(inet instanceof Inet6Address && inet.isLinkLocalAddress())) {
                        addresses.add(text);
                        networking.putIfAbsent(key, text);
                    }
                }
                byte[] mac = nic.getHardwareAddress();
                if (mac != null && mac.length > 0) {
                    StringBuilder hex = new StringBuilder();
                    for (byte b : mac) {
                        hex.append(hex.length() > 0 ? ":" : "").append(String.format("%02x", b));
                    }
                    entry.put("mac", hex.toString());
                }
                interfaces.put(nic.getName(), entry);
            }
        } catch (SocketException e) {
            // no interfaces readable: the facts simply lack them
        }
        networking.put("interfaces", interfaces);
        networking.put("addresses", addresses);
        return networking;
    }

    /** The canonical name, looked up with a time limit: a broken resolver must not stall the agent's start. */
    private static String fqdn(String hostname) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getLocalHost().getCanonicalHostName();
                } catch (IOException e) {
                    return hostname;
                }
            }).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return hostname;
        }
    }

    private static String javaHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String shortName(String hostname) {
        int dot = hostname.indexOf('.');
        return dot > 0 ? hostname.substring(0, dot) : hostname;
    }

    private java.util.Optional<String> firstLine(String relative) {
        List<String> lines = lines(relative);
        return lines.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(lines.get(0).strip());
    }

    private List<String> lines(String relative) {
        try {
            return Files.readAllLines(root.resolve(relative));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
