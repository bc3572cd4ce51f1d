package io.drover.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostListTest {
    @TempDir
    Path dir;

    @Test
    void readsOneIdentityPerLineSkippingCommentsAndBlanks() throws IOException {
        Path file = Files.writeString(dir.resolve("production.txt"), "# web\nweb1.example.com\n\n  web2.example.com  \nweb1.example.com\n");
        assertEquals(List.of("web1.example.com", "web2.example.com"), List.copyOf(HostList.read(file)));
    }

    @Test
    void aBadLineIsAnErrorNamingTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.txt"), "web1.example.com\nweb2 example com\n");
        IOException e = assertThrows(IOException.class, () -> HostList.read(file));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("not a host identity"), e.getMessage());
    }

    @Test
    void aMissingOrEmptyListIsAnError() throws IOException {
        assertThrows(IOException.class, () -> HostList.read(dir.resolve("nope.txt")));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "# nobody\n");
        assertTrue(assertThrows(IOException.class, () -> HostList.read(empty)).getMessage().contains("names no host"));
    }
}
