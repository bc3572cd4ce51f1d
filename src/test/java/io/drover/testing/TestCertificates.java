package io.drover.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway certificates made with the JDK's keytool: the broker's (for 127.0.0.1 and localhost) in a key store
 * with a trust store for clients, and a client's in a key store with a trust store for the broker.
 */
public record TestCertificates(Path keyStore, Path trustStore, Path clientKeyStore, Path clientTrustStore, String password) {
    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        String password = "changeit";
        Path keyStore = dir.resolve("broker.p12");
        Path certificate = dir.resolve("broker.pem");
        Path trustStore = dir.resolve("trust.p12");
        keytool(List.of("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", password, "-keypass", password));
        keytool(List.of("-exportcert", "-alias", "broker", "-rfc", "-keystore", keyStore.toString(), "-storepass", password,
                "-file", certificate.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", password));
        Path clientKeyStore = dir.resolve("client.p12");
        Path clientCertificate = dir.resolve("client.pem");
        Path clientTrustStore = dir.resolve("clients-trust.p12");
        keytool(List.of("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=drover-runner",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", clientKeyStore.toString(), "-storepass", password,
                "-keypass", password));
        keytool(List.of("-exportcert", "-alias", "client", "-rfc", "-keystore", clientKeyStore.toString(), "-storepass", password,
                "-file", clientCertificate.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", "client", "-file", clientCertificate.toString(), "-storetype", "PKCS12",
                "-keystore", clientTrustStore.toString(), "-storepass", password));
        return new TestCertificates(keyStore, trustStore, clientKeyStore, clientTrustStore, password);
    }

    private static void keytool(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args.get(0) + " failed: " + output);
        }
    }
}
