package io.drover.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A secret kept in a file of its own, such as a broker password: the file's first line, stripped. The agent and
 * the runner read every such file here, so both refuse one that everyone on the machine can read.
 */
public final class SecretFile {
    /** Longest first line read; a secret file is a line, so anything longer is the wrong file. */
    static final int MAX_BYTES = 4096;

    private SecretFile() {
    }

    /**
     * Reads the secret in {@code file}.
     *
     * @throws IllegalArgumentException saying what to fix: the file is readable by everyone, missing, unreadable,
     *                                  or its first line is longer than {@value #MAX_BYTES} bytes
     */
    public static String read(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalArgumentException(file + " is readable by everyone; chmod 600 it (or chmod 640 and give its "
                        + "group only to the user that runs Drover)");
            }
        } catch (UnsupportedOperationException e) {
            // No POSIX permissions on this file system (e.g. Windows): access is governed by ACLs Drover cannot judge.
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist; create it with the secret on its first line, readable "
                    + "only by the user that runs Drover (chmod 600)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = firstLineEnd(text);
        if (end < 0 && bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException(file + " does not start with a secret of at most " + MAX_BYTES
                    + " bytes on one line; is it the right file?");
        }
        return (end < 0 ? text : text.substring(0, end)).strip();
    }

    private static int firstLineEnd(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                return i;
            }
        }
        return -1;
    }
}
