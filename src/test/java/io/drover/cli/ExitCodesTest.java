package io.drover.cli;

import io.drover.agent.plugin.ConfigException;
import io.drover.error.AuthenticationException;
import io.drover.error.BrokerUnreachableException;
import io.drover.error.ConfigurationException;
import io.drover.error.OperationInterruptedException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitCodesTest {
    @Test
    void eachKindOfFailureHasItsOwnCode() {
        CommandLine command = new CommandLine(new CompletionCommand(System.out));
        assertEquals(2, ExitCodes.of(new CommandLine.ParameterException(command, "bad")));
        assertEquals(2, ExitCodes.of(new IllegalArgumentException("bad value")));
        assertEquals(3, ExitCodes.of(new ConfigurationException("bad setting")));
        assertEquals(3, ExitCodes.of(new ConfigException("bad agent.yaml")), "the plugin SPI's ConfigException is a configuration failure");
        assertEquals(4, ExitCodes.of(new BrokerUnreachableException("no broker", null)));
        assertEquals(5, ExitCodes.of(new AuthenticationException("login refused", null)));
        assertEquals(130, ExitCodes.of(new OperationInterruptedException("stopped", new InterruptedException())));
        assertEquals(130, ExitCodes.of(new InterruptedException()));
        assertEquals(1, ExitCodes.of(new IOException("cannot read")));
        assertEquals(1, ExitCodes.of(new IllegalStateException("internal")), "a lost broker is no longer an IllegalStateException");
    }

    @Test
    void theDocumentedCodesAreDistinct() {
        List<Integer> codes = List.of(ExitCodes.OK, ExitCodes.HOSTS_FAILED, ExitCodes.USAGE, ExitCodes.CONFIGURATION,
                ExitCodes.BROKER_UNREACHABLE, ExitCodes.AUTHENTICATION, ExitCodes.INTERRUPTED);
        assertEquals(codes.size(), new HashSet<>(codes).size(), codes.toString());
        Set<String> described = ExitCodes.descriptions().keySet();
        assertEquals(codes.stream().map(String::valueOf).toList(), List.copyOf(described), "every code is in the help, in order");
        // Scripts written against the hand-written parser keep working.
        assertEquals(0, ExitCodes.OK);
        assertEquals(1, ExitCodes.HOSTS_FAILED);
        assertEquals(2, ExitCodes.USAGE);
        assertTrue(ExitCodes.descriptions().values().stream().noneMatch(String::isBlank));
    }
}
