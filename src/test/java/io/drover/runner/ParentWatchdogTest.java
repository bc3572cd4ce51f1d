package io.drover.runner;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParentWatchdogTest {
    @Test
    void aWatchedProcessThatIsGoneStopsTheRun() throws Exception {
        Process parent = new ProcessBuilder("sleep", "600").start();
        try {
            ParentWatchdog watchdog = new ParentWatchdog(List.of(parent.toHandle()), () -> Optional.of(parent.toHandle()));
            assertNull(watchdog.check(), "the parent is alive");
            assertNull(watchdog.stopReason());
            parent.destroyForcibly();
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
            String reason = watchdog.check();
            assertNotNull(reason);
            assertTrue(reason.contains("(pid " + parent.pid() + ") is gone"), reason);
            assertNotNull(watchdog.stopReason(), "once stopping, always stopping");
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void beingHandedToAnotherParentStopsTheRun() {
        ProcessHandle self = ProcessHandle.current();
        AtomicReference<Optional<ProcessHandle>> parent = new AtomicReference<>(Optional.of(self));
        // The watched process is alive (it is this JVM), but the parent now reported is another one.
        ParentWatchdog watchdog = new ParentWatchdog(List.of(self), parent::get);
        assertNull(watchdog.check());
        parent.set(ProcessHandle.of(1));
        String reason = watchdog.check();
        assertNotNull(reason);
        assertTrue(reason.contains("its parent is now pid 1"), reason);
    }

    @Test
    void nothingToWatchNeverStops() {
        ParentWatchdog watchdog = new ParentWatchdog(List.of(), Optional::empty);
        assertNull(watchdog.check());
    }
}
