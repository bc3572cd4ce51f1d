package io.drover.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretFileTest {
    @TempDir
    Path dir;

    private Path secret(String text, String mode) throws IOException {
        Path file = Files.writeString(dir.resolve("secret"), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void theSecretIsTheFirstLineStripped() throws IOException {
        assertEquals("s3cret", SecretFile.read(secret("  s3cret \r\nsecond line\n", "rw-------")));
        assertEquals("s3cret", SecretFile.read(secret("s3cret", "rw-r-----")));
        assertEquals("", SecretFile.read(secret("", "rw-------")));
    }

    @Test
    void aFileEveryoneCanReadIsRefused() throws IOException {
        Path file = secret("s3cret\n", "rw-r--r--");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretFile.read(file));
        assertTrue(e.getMessage().startsWith(file + " is readable by everyone; chmod 600 it"), e.getMessage());
    }

    @Test
    void aMissingFileSaysHowToCreateIt() {
        Path missing = dir.resolve("missing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretFile.read(missing));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void aFileWithoutALineOfSecretIsNotReadWhole() throws IOException {
        Path big = secret("x".repeat(SecretFile.MAX_BYTES + 1), "rw-------");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretFile.read(big));
        assertTrue(e.getMessage().contains("is it the right file?"), e.getMessage());
        assertEquals("short", SecretFile.read(secret("short\n" + "x".repeat(10 * SecretFile.MAX_BYTES), "rw-------")));
    }
}
