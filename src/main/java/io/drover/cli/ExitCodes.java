package io.drover.cli;

import io.drover.error.AuthenticationException;
import io.drover.error.BrokerUnreachableException;
import io.drover.error.ConfigurationException;
import io.drover.error.OperationInterruptedException;
import picocli.CommandLine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every exit code of the {@code drover} command, and the one place that maps a failure to its code. Scripts
 * rely on these numbers: never renumber one, only add.
 */
final class ExitCodes {
    /** Every host answered OK; or the command did what it was asked. */
    static final int OK = 0;
    /** Some host refused, failed or did not answer, nothing matched, or the work itself failed. */
    static final int HOSTS_FAILED = 1;
    /** Bad usage: an unknown option, a bad filter or value, a missing argument. */
    static final int USAGE = 2;
    /** A setting or configuration file cannot be used. */
    static final int CONFIGURATION = 3;
    /** The broker cannot be reached, or the connection to it was lost for good. */
    static final int BROKER_UNREACHABLE = 4;
    /** Authentication ({@link AuthenticationException}): the broker refused the login or the vhost. */
    static final int AUTHENTICATION = 5;
    /** Interrupted (stopped) while waiting: 128 + SIGINT, as shells report a command stopped with Ctrl-C. */
    static final int INTERRUPTED = 130;

    private ExitCodes() {
    }

    /** The exit code for a command that failed with {@code failure}. */
    static int of(Throwable failure) {
        if (failure instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (failure instanceof ConfigurationException) {
            return CONFIGURATION;
        }
        if (failure instanceof BrokerUnreachableException) {
            return BROKER_UNREACHABLE;
        }
        if (failure instanceof AuthenticationException) {
            return AUTHENTICATION;
        }
        if (failure instanceof OperationInterruptedException || failure instanceof InterruptedException) {
            return INTERRUPTED;
        }
        // A value the command line or a -D setting gave that cannot be used (a broker URI, a key path, a number).
        if (failure instanceof IllegalArgumentException) {
            return USAGE;
        }
        return HOSTS_FAILED;
    }

    /** The codes with what they mean, for the generated help. */
    static Map<String, String> descriptions() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(OK + "", "every host answered OK (with --expect N, exactly N hosts answered discovery)");
        codes.put(HOSTS_FAILED + "", "some host refused, failed or did not answer; nothing matched; --expect N not met");
        codes.put(USAGE + "", "bad usage: unknown option, bad filter or value, missing argument");
        codes.put(CONFIGURATION + "", "a setting or configuration file cannot be used");
        codes.put(BROKER_UNREACHABLE + "", "the broker cannot be reached, or the connection to it was lost");
        codes.put(AUTHENTICATION + "", "authentication: the broker refused the login or the vhost");
        codes.put(INTERRUPTED + "", "interrupted while waiting");
        return codes;
    }
}
