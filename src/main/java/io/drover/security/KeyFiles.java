package io.drover.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Ed25519 key pairs in PEM files, as OpenSSL writes them: the private key PKCS#8 ({@code NAME.key}, mode 0600,
 * created with that mode so it is never readable by others even for an instant), the public key X.509
 * ({@code NAME.pub}). Keys are the JDK's own; signatures made and checked with them are Bouncy Castle's Ed25519.
 */
public final class KeyFiles {
    static final String ALGORITHM = "Ed25519";
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private KeyFiles() {
    }

    /** A new random key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JDK has no Ed25519 (it needs Java 15 or newer)", e);
        }
    }

    /**
     * Writes {@code dir/NAME.key} (0600) and {@code dir/NAME.pub}; refuses to overwrite an existing key.
     *
     * @return the private key file
     */
    public static Path create(Path dir, String name) throws IOException {
        KeyNames.requireKeyName(name);
        Files.createDirectories(dir);
        Path privateFile = dir.resolve(name + ".key");
        Path publicFile = dir.resolve(name + ".pub");
        if (Files.exists(privateFile) || Files.exists(publicFile)) {
            throw new FileAlreadyExistsException(privateFile.toString(), publicFile.toString(),
                    "a key of that name exists; remove it first or choose another name");
        }
        KeyPair pair = generate();
        writePrivate(privateFile, pair.getPrivate());
        writePublic(publicFile, pair.getPublic());
        return privateFile;
    }

    /** Writes a public key as PEM, e.g. to put a caller's key into an agent's trusted directory. */
    public static void writePublic(Path file, PublicKey key) throws IOException {
        Files.writeString(file, pem(PUBLIC_LABEL, key.getEncoded()));
    }

    /** Writes a private key as PEM with mode 0600. */
    public static void writePrivate(Path file, PrivateKey key) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pem(PRIVATE_LABEL, key.getEncoded()), StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
            throw new IOException("Private key " + file + " is readable by others (" + PosixFilePermissions.toString(permissions)
                    + "); chmod 600 it");
        }
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(file, PRIVATE_LABEL)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublic(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(unpem(file, PUBLIC_LABEL)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /**
     * The text between a PEM file's BEGIN and END lines of {@code label}; throws with {@code missing} appended when
     * there is none.
     */
    static String pemBody(Path file, String label, String missing) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(file + missing);
        }
        return text.substring(from + begin.length(), to);
    }

    private static byte[] unpem(Path file, String label) throws IOException {
        String body = pemBody(file, label, " is not a PEM file with a " + label);
        try {
            return Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " has a malformed " + label + ": " + e.getMessage(), e);
        }
    }
}
