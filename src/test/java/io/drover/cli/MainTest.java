package io.drover.cli;

import io.drover.security.KeyFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code drover} command tree without a broker: help, completion, usage mistakes and an unreachable broker. */
class MainTest {
    @TempDir
    static Path dir;
    private static Path issuer;

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void keys() throws IOException {
        KeyFiles.create(dir, "fleet");
        issuer = dir.resolve("fleet.pub");
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A port on 127.0.0.1 nothing listens on: bound by us a moment ago, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void agentsListsTheCatalogsAndOneAgentsActionsInputsAndOutputs() {
        Run all = run("agents");
        assertEquals(0, all.exit(), all.err());
        assertTrue(all.out().contains("firewall: Block and unblock incoming traffic by source address (block, unblock, is_blocked, "
                + "list_blocked)"), all.out());
        Run one = run("agents", "package");
        assertEquals(0, one.exit(), one.err());
        assertTrue(one.out().contains("  package install package=... [version=...]"), one.out());
        assertTrue(one.out().contains("    inputs:") && one.out().contains("    outputs:"), one.out());
        Run unknown = run("agents", "nope");
        assertEquals(ExitCodes.USAGE, unknown.exit());
        assertTrue(unknown.err().startsWith("drover agents: no catalog for agent 'nope' (known: rpcutil, firewall, package, service, "
                + "nrpe)"), unknown.err());
    }

    @Test
    void rpcHelpWithAnAgentPrintsItsCatalog() {
        Run help = run("rpc", "--help", "service");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("Usage: drover rpc"), help.out());
        assertTrue(help.out().contains("  service restart service=..."), help.out());
        Run plain = run("rpc", "--help");
        assertTrue(plain.out().contains("Agents (drover rpc --help AGENT, or drover agents AGENT, for one):"), plain.out());
        Run unknown = run("rpc", "--help", "greeter");
        assertEquals(0, unknown.exit(), unknown.err());
        assertTrue(unknown.out().contains("No catalog for agent 'greeter' here"), unknown.out());
    }

    @Test
    void anUnreachableBrokerHasItsOwnExitCodeAndSaysHowToFix() throws IOException {
        String broker = "amqp://guest:s3cret@127.0.0.1:" + closedPort();
        for (List<String> command : List.of(List.of("ping"), List.of("discover"), List.of("rpc", "service", "status", "service=httpd"),
                List.of("inventory", "web1.example.com"), List.of("fleet", "list"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--broker", broker, "--issuer", issuer.toString()));
            Run run = run(args.toArray(String[]::new));
            assertEquals(ExitCodes.BROKER_UNREACHABLE, run.exit(), command + ": " + run.err());
            assertTrue(run.err().startsWith("drover " + command.get(0) + ": Cannot reach the broker amqp://guest:***@127.0.0.1:"),
                    command + ": " + run.err());
            assertTrue(run.err().contains("Check that the broker runs and listens there, the host and port of --broker"), run.err());
            assertFalse(run.err().contains("s3cret"), "the password is masked: " + run.err());
        }
    }

    @Test
    void helpIsGeneratedForEveryCommandAndListsTheExitCodes() {
        Run help = run("--help");
        assertEquals(0, help.exit(), help.err());
        for (String command : List.of("ping", "discover", "inventory", "rpc", "fleet", "agent", "keys", "emulate", "broker", "completion")) {
            assertTrue(help.out().contains("  " + command + " "), command + " is listed:\n" + help.out());
        }
        assertTrue(help.out().contains("Exit codes:"), help.out());
        assertTrue(help.out().matches("(?s).*\\n  4 +the broker cannot be reached.*"), help.out());
        Run ping = run("ping", "--help");
        assertEquals(0, ping.exit());
        assertTrue(ping.out().contains("--broker=URI") && ping.out().contains("--where=EXPR"), ping.out());
        assertEquals(0, run("help", "rpc").exit());
        assertEquals(0, run("keys", "issue", "--help").exit());
        assertEquals(0, run("broker", "setup", "--help").exit());
    }

    @Test
    void everyFleetCommandTakesTheSameOptions() {
        CommandLine drover = Main.commandLine(System.out, System.err);
        List<CommandSpec> fleet = List.of(spec(drover, "ping"), spec(drover, "discover"), spec(drover, "inventory"), spec(drover, "rpc"),
                spec(drover, "fleet", "list"), spec(drover, "fleet", "forget"));
        for (CommandSpec command : fleet) {
            for (String option : List.of("--broker", "--collective", "--key", "--issuer", "--timeout", "--discovery-timeout",
                    "--class", "--fact", "--identity", "--agent", "--where", "--expect", "--json", "--help")) {
                assertNotNull(command.findOption(option), command.qualifiedName() + " takes " + option);
            }
        }
        CommandSpec emulate = spec(drover, "emulate");
        assertNotNull(emulate.findOption("--broker"));
        assertNotNull(emulate.findOption("--collective"));
        assertNotNull(spec(drover, "broker", "setup").findOption("--collective"));
    }

    private static CommandSpec spec(CommandLine root, String... path) {
        CommandLine command = root;
        for (String name : path) {
            command = command.getSubcommands().get(name);
        }
        return command.getCommandSpec();
    }

    @Test
    void completionPrintsABashScriptForEveryCommand() {
        Run run = run("completion");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("complete -F"), run.out());
        assertTrue(run.out().contains("ping") && run.out().contains("--discovery-timeout") && run.out().contains("create-issuer"),
                "subcommands and options are completed");
    }

    @Test
    void usageMistakesExitTwo() {
        Run none = run();
        assertEquals(2, none.exit());
        assertTrue(none.out().contains("Usage: drover"), none.out());
        Run unknown = run("bogus");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("drover: unknown command 'bogus'"), unknown.err());
        Run option = run("ping", "--bogus");
        assertEquals(2, option.exit());
        assertTrue(option.err().startsWith("drover ping: unknown option --bogus"), option.err());
        Run value = run("discover", "--broker");
        assertEquals(2, value.exit());
        assertTrue(value.err().startsWith("drover discover: --broker needs a value"), value.err());
        Run hostile = run("ping", "--\u001b[31mred");
        assertEquals(2, hostile.exit());
        assertFalse(hostile.err().contains("\u001b"), "control characters are shown escaped");
        Run noBroker = run("fleet", "forget", "web1.example.com", "--issuer", issuer.toString());
        assertEquals(2, noBroker.exit(), noBroker.err());
        assertTrue(noBroker.err().contains("no broker: give --broker"), noBroker.err());
        assertEquals(2, run("keys").exit());
        assertEquals(2, run("broker").exit());
    }

    @Test
    void versionIsPrinted() {
        Run run = run("--version");
        assertEquals(0, run.exit());
        assertTrue(run.out().startsWith("drover "), run.out());
    }
}
