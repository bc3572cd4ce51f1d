package io.drover.steps;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureBudgetTest {
    @ParameterizedTest(name = "{0}% of {1} hosts allows {2}")
    @CsvSource({"10, 4, 0", "10, 9, 0", "10, 10, 1", "10, 19, 1", "10, 20, 2", "25, 4, 1", "50, 5, 2", "100, 7, 7", "0, 100, 0",
            "1, 5000, 50", "33, 3, 0", "34, 3, 1", "100, 2147483647, 2147483647"})
    void aPercentageRoundsDown(int percent, int batch, int allowed) {
        assertEquals(allowed, FailureBudget.percentOf(percent).allowed(batch));
    }

    @Test
    void aCountIsTheSameForEveryBatchSize() {
        FailureBudget one = FailureBudget.hosts(1);
        assertEquals(1, one.allowed(1));
        assertEquals(1, one.allowed(5000));
        assertFalse(one.exceededBy(1, 4));
        assertTrue(one.exceededBy(2, 4));
    }

    @Test
    void theDefaultAllowsNoFailedHost() {
        assertFalse(FailureBudget.NONE.exceededBy(0, 4));
        assertTrue(FailureBudget.NONE.exceededBy(1, 5000));
        assertEquals("no failed hosts", FailureBudget.NONE.describe(4));
    }

    @Test
    void exceededMeansMoreThanAllowed() {
        FailureBudget tenPercent = FailureBudget.percentOf(10);
        assertFalse(tenPercent.exceededBy(2, 20));
        assertTrue(tenPercent.exceededBy(3, 20));
        assertTrue(tenPercent.exceededBy(1, 4), "10% of 4 hosts is 0.4, which rounds down to none");
    }

    @Test
    void descriptionsSayWhatTheBudgetAllowsOfThisBatch() {
        assertEquals("at most 1 failed host per batch", FailureBudget.hosts(1).describe(4));
        assertEquals("at most 3 failed hosts per batch", FailureBudget.hosts(3).describe(4));
        assertEquals("at most 10% failed hosts per batch (0 of 4 hosts, rounded down)", FailureBudget.percentOf(10).describe(4));
    }

    @Test
    void impossibleBudgetsAreRefused() {
        assertThrows(AssertionError.class, () -> FailureBudget.percentOf(101));
        assertThrows(AssertionError.class, () -> FailureBudget.percentOf(-1));
        assertThrows(AssertionError.class, () -> FailureBudget.hosts(-1));
    }
}
