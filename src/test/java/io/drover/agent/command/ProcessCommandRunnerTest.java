package io.drover.agent.command;

import io.drover.agent.plugin.ActionFailedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessCommandRunnerTest {
    private final ProcessCommandRunner runner = new ProcessCommandRunner(List.of(), Duration.ofSeconds(10), 1000);

    @Test
    void argumentsReachTheProgramUninterpreted() throws Exception {
        String hostile = "$(id); `reboot` && rm -rf / | cat > x";
        CommandResult result = runner.run(Command.of("echo", hostile));
        assertTrue(result.succeeded());
        assertEquals(hostile + "\n", result.stdout());
    }

    @Test
    void aNonZeroExitIsAResultWithTheCommandAndWhatItSaid() throws Exception {
        CommandResult result = runner.run(Command.of("ls", "/no/such/dir"));
        assertFalse(result.succeeded());
        assertEquals(2, result.exitCode());
        assertTrue(result.describe().startsWith("`ls /no/such/dir` exited 2: ls: cannot access"), result.describe());
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> runner.check(Command.of("ls", "/no/such/dir")));
        assertEquals(2, e.data().get("exitcode"));
    }

    @Test
    void aMissingProgramIsAClearFailure() {
        ActionFailedException e = assertThrows(ActionFailedException.class, () -> runner.run(Command.of("no-such-program-xyz")));
        assertTrue(e.getMessage().startsWith("cannot run `no-such-program-xyz`"), e.getMessage());
    }

    @Test
    void aHangingCommandIsKilledWithItsChildrenAtTheTimeout() throws Exception {
        long started = System.nanoTime();
        CommandResult result = runner.run(Command.of("sh", "-c", "sleep 30 & echo $!; wait").withTimeout(Duration.ofMillis(500)));
        assertTrue(result.timedOut());
        assertEquals(-1, result.exitCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0);
        long child = Long.parseLong(result.stdout().strip());
        // The killed child is gone once its new parent reaps it; give that a moment.
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child sleep was killed too");
        assertTrue(result.describe().contains("timed out"), result.describe());
    }

    @Test
    void outputIsCappedButTheCommandRunsToItsEnd() throws Exception {
        CommandResult result = runner.run(Command.of("head", "-c", "200000", "/dev/zero"));
        assertTrue(result.succeeded());
        assertEquals(1000, result.stdout().length());
        assertTrue(result.truncated());
    }

    @Test
    void commandsGetAMinimalEnvironmentPlusTheirOwn() throws Exception {
        CommandResult result = runner.run(Command.of("env").withEnvironment("APT_CONFIG", "/tmp/apt.conf"));
        assertTrue(result.stdout().contains("APT_CONFIG=/tmp/apt.conf"));
        assertTrue(result.stdout().contains("LC_ALL=C.UTF-8"));
        assertFalse(result.stdout().contains("HOME="), "nothing of the agent's environment leaks: " + result.stdout());
        assertFalse(result.stdout().contains("DROVER"), result.stdout());
    }

    @Test
    void thePrefixGoesBeforeEveryCommand() throws Exception {
        ProcessCommandRunner prefixed = new ProcessCommandRunner(List.of("env", "MARK=inside"), Duration.ofSeconds(5), 1000);
        CommandResult result = prefixed.run(Command.of("printenv", "MARK"));
        assertEquals("inside\n", result.stdout());
        assertEquals(List.of("env", "MARK=inside", "printenv", "MARK"), result.command());
    }

    @Test
    void nulCharactersCannotReachAProgram() {
        assertThrows(IllegalArgumentException.class, () -> Command.of("echo", "a\0b"));
    }

    @Test
    void displayQuotesWhatAShellWouldInterpret() {
        assertEquals("apt-get install 'my app' 'a;b' plain", Command.of("apt-get", "install", "my app", "a;b", "plain").display());
    }

    @Test
    void startedProcessesAreCounted() throws Exception {
        long before = ProcessCommandRunner.startedProcesses();
        runner.run(Command.of("true"));
        assertEquals(before + 1, ProcessCommandRunner.startedProcesses());
    }
}
