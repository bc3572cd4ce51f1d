package io.drover.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** drover.hosts: a comma-separated list, or @FILE such as the rerun file a run with failed hosts writes. */
class HostSelectionTest {
    @TempDir
    Path dir;

    @Test
    void aCommaSeparatedListIsSortedAndDeduplicated() {
        HostSelection selection = HostSelection.parse("drover.hosts", " dev3.de.example.com, dev1.de.example.com,,dev3.de.example.com ");
        assertEquals(List.of("dev1.de.example.com", "dev3.de.example.com"), List.copyOf(selection.hosts()));
        assertTrue(selection.narrowed());
        assertEquals("drover.hosts=dev3.de.example.com, dev1.de.example.com,,dev3.de.example.com", selection.source());
    }

    @Test
    void theRerunFileIsReadWithItsComment() throws Exception {
        Path file = dir.resolve("drover-rerun.txt");
        Files.writeString(file, "# Hosts that failed in the last run\ndev3.de.example.com\ndev4.de.example.com\n");
        HostSelection selection = HostSelection.parse("drover.hosts", "@" + file);
        assertEquals(List.of("dev3.de.example.com", "dev4.de.example.com"), List.copyOf(selection.hosts()));
        assertEquals("drover.hosts=@" + file, selection.source());
    }

    @Test
    void aMissingFileSaysThatNoneIsWrittenWithoutFailedHosts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostSelection.parse("drover.hosts", "@" + dir.resolve("drover-rerun.txt")));
        assertTrue(e.getMessage().startsWith("drover.hosts: Host list ") && e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("none was written if it had none"), e.getMessage());
    }

    @Test
    void hostileEntriesAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostSelection.parse("drover.hosts", "dev1.de.example.com,dev2;rm -rf /"));
        assertTrue(e.getMessage().contains("'dev2;rm -rf /' is not a host identity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostSelection.parse("drover.hosts", " , ,"));
        assertThrows(IllegalArgumentException.class, () -> HostSelection.parse("drover.hosts", "a,".repeat(HostSelection.MAX_LIST)));
    }

    @Test
    void allIsNotNarrowed() {
        assertFalse(HostSelection.all().narrowed());
    }
}
