package io.drover.steps;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockStepsTest {
    @Test
    void aWaitIsOneSecondToOneDay() {
        LockSteps steps = new LockSteps(new Deployment());
        assertDoesNotThrow(() -> steps.waitSeconds(1));
        assertDoesNotThrow(() -> steps.waitMinutes(5));
        assertDoesNotThrow(() -> steps.waitMinutes(1440));
        for (Runnable bad : new Runnable[]{() -> steps.waitSeconds(0), () -> steps.waitSeconds(-1), () -> steps.waitMinutes(1441),
                () -> steps.waitMinutes(Integer.MAX_VALUE)}) {
            AssertionError e = assertThrows(AssertionError.class, bad::run);
            assertTrue(e.getMessage().startsWith("Wait 1 second to 24 hours for other deploys, not "), e.getMessage());
        }
    }
}
