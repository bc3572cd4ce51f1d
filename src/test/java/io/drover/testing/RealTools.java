package io.drover.testing;

import io.drover.agent.command.Programs;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards tests that drive real system tools. Under {@code CI=true} a missing tool fails the test (CI must
 * install it); elsewhere the test is skipped with a message saying what to install.
 */
public final class RealTools {
    private RealTools() {
    }

    /**
     * @param program     program to look for, e.g. {@code iptables}
     * @param debPackages Debian packages that provide it, for the message
     */
    public static void require(String program, String debPackages) {
        if (Programs.exists(program)) {
            return;
        }
        String message = program + " is not installed; install it with: apt-get install " + debPackages;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: .ci/run must install it)");
        }
        Assumptions.abort(message);
    }

    /** Root is needed for namespaces, firewalls and package roots; same rules as a missing tool. */
    public static void requireRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return;
        }
        String message = "this test needs root (network namespaces, firewall rules)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }
}
