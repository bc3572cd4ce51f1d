package io.drover.steps;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchSizesTest {
    private static List<String> hosts(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> String.format("web%03d", i)).toList();
    }

    private static List<Integer> sizes(String step, int hosts) {
        return BatchSizes.parse(step).cut(hosts(hosts)).stream().map(List::size).toList();
    }

    @Test
    void aCountCutsBatchesOfThatSizeTheLastOneSmaller() {
        assertEquals(List.of(2, 2), sizes("2", 4));
        assertEquals(List.of(2, 2, 1), sizes("2", 5));
        assertEquals(List.of(List.of("web001", "web002"), List.of("web003", "web004"), List.of("web005")),
                BatchSizes.parse("2").cut(hosts(5)));
    }

    @Test
    void percentagesAreOfTheWholeFleetAndRoundUp() {
        assertEquals(List.of(1, 1, 1, 1), sizes("25%", 4));
        assertEquals(List.of(3, 3, 3, 1), sizes("25%", 10), "25% of 10 is 2.5, rounded up to 3");
        assertEquals(List.of(1), sizes("1%", 1), "a batch is never empty");
        assertEquals(List.of(1, 1, 1), sizes("1%", 3));
        assertEquals(List.of(5), sizes("100%", 5));
        assertEquals(Collections.nCopies(10, 100), sizes("10%", 1_000));
        assertEquals(Collections.nCopies(10, 500), sizes("10%", 5_000));
        assertEquals(List.of(101, 101, 101, 101, 101, 101, 101, 101, 101, 92), sizes("10%", 1_001));
    }

    @Test
    void aRampGivesEachSizeInTurnAndRepeatsTheLast() {
        assertEquals(List.of(1, 5, 25, 25, 25, 19), sizes("1, 5 and 25%", 100));
        assertEquals(List.of(1, 5, 3, 1), sizes("1, 5 and 25%", 10));
        assertEquals(List.of(1, 2, 1), sizes("1, 2 and 25%", 4));
        assertEquals(List.of(1, 2, 3, 3), sizes("1,2,3", 9));
        assertEquals(List.of(1, 2, 3, 3), sizes("1 and 2 and 3", 9));
        assertEquals("1, 5 and 25%", BatchSizes.parse("1, 5 and 25%").describe());
        assertEquals("2", BatchSizes.parse(" 2 ").describe());
    }

    @Test
    void oneHostAndMoreBatchesThanHosts() {
        assertEquals(List.of(1), sizes("2", 1));
        assertEquals(List.of(1), sizes("1, 5 and 25%", 1));
        assertEquals(List.of(1, 2), sizes("1, 5 and 25%", 3), "the ramp stops when the hosts run out");
        assertEquals(List.of(), sizes("2", 0));
    }

    @Test
    void batchesFollowSortedIdentitiesWhateverTheInputOrderAndNeverOverlap() {
        List<String> shuffled = new ArrayList<>(hosts(37));
        Collections.shuffle(shuffled, new java.util.Random(7));
        List<List<String>> batches = BatchSizes.parse("1, 5 and 20%").cut(shuffled);
        List<String> flat = batches.stream().flatMap(List::stream).toList();
        assertEquals(hosts(37), flat, "every host once, in sorted order");
        assertEquals(batches, BatchSizes.parse("1, 5 and 20%").cut(hosts(37)));
        assertEquals(List.of(1, 5, 8, 8, 8, 7), batches.stream().map(List::size).toList());
    }

    @Test
    void invalidSizesAreRefusedSayingWhatWouldDo() {
        for (String bad : List.of("0", "0%", "101%", "two", "", "2 hosts", "-1", "1,", "1, and 2", "25%%", "9999999999")) {
            AssertionError error = assertThrows(AssertionError.class, () -> BatchSizes.parse(bad), bad);
            assertTrue(error.getMessage().contains("batches of 1, 5 and 25%"), error.getMessage());
        }
        String ramp = String.join(", ", Collections.nCopies(BatchSizes.MAX_SIZES + 1, "1"));
        assertTrue(assertThrows(AssertionError.class, () -> BatchSizes.parse(ramp)).getMessage().contains("too long"));
    }
}
