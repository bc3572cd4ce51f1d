package io.drover.agents.nrpe;

import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.CheckState;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;
import io.drover.testing.AgentHarness;
import io.drover.testing.FakeCommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NrpeChecksTest {
    private static final String PLUGINS = "/usr/lib/nagios/plugins/";

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private static Map<String, List<String>> definitions(Map<String, Object> settings) {
        return NrpeChecks.definitions(new Settings("agents.nrpe", settings));
    }

    private static Map<String, List<String>> definitions(Path config) {
        return definitions(Map.of("config", config.toString()));
    }

    @Test
    void readsCommandsAndSkipsCommentsAndOtherSettings() throws Exception {
        Path config = write("nrpe.cfg",
                "# NRPE configuration",
                "log_facility=daemon",
                "server_port=5666",
                "allowed_hosts=127.0.0.1,::1",
                "dont_blame_nrpe=0",
                "",
                "   # command[check_commented]=/bin/false",
                "command[check_load]=" + PLUGINS + "check_load -w 15,10,5 -c 30,25,20",
                "  command[check_users] = " + PLUGINS + "check_users -w 5 -c 10  ",
                "command[check_total_procs]=" + PLUGINS + "check_procs\t-w 150 -c 200");
        assertEquals(Map.of(
                "check_load", List.of(PLUGINS + "check_load", "-w", "15,10,5", "-c", "30,25,20"),
                "check_users", List.of(PLUGINS + "check_users", "-w", "5", "-c", "10"),
                "check_total_procs", List.of(PLUGINS + "check_procs", "-w", "150", "-c", "200")), definitions(config));
    }

    @Test
    void followsIncludeAndIncludeDirWhereTheyAppear() throws Exception {
        write("nrpe.d/b.cfg", "command[check_b]=/bin/b", "command[check_shared]=/bin/from-b");
        write("nrpe.d/a.cfg", "command[check_a]=/bin/a", "command[check_shared]=/bin/from-a");
        write("nrpe.d/sub/c.cfg", "command[check_c]=/bin/c");
        write("nrpe.d/ignored.cfg.disabled", "command[check_ignored]=/bin/ignored");
        write("nrpe.d/README", "command[check_readme]=/bin/readme");
        write("extra/local.cfg", "command[check_local]=/bin/local", "command[check_early]=/bin/from-include");
        Path absolute = write("elsewhere/abs.cfg", "command[check_abs]=/bin/abs");
        Path config = write("nrpe.cfg",
                "command[check_early]=/bin/from-main",
                "include=extra/local.cfg",
                "include_dir=nrpe.d",
                "include=" + absolute,
                "command[check_b]=/bin/b-main");
        Map<String, List<String>> definitions = definitions(config);
        assertEquals(Map.of(
                "check_early", List.of("/bin/from-include"),
                "check_local", List.of("/bin/local"),
                "check_a", List.of("/bin/a"),
                "check_b", List.of("/bin/b-main"),
                "check_shared", List.of("/bin/from-b"),
                "check_c", List.of("/bin/c"),
                "check_abs", List.of("/bin/abs")), definitions);
    }

    @Test
    void laterDefinitionsWin() throws Exception {
        Path config = write("nrpe.cfg", "command[check_x]=/bin/first", "command[check_x]=/bin/second");
        assertEquals(Map.of("check_x", List.of("/bin/second")), definitions(config));
    }

    @Test
    void inlineCommandsReplaceTheFilesOnes() throws Exception {
        Path config = write("nrpe.cfg", "command[check_x]=/bin/false | cat", "command[check_y]=/bin/y");
        assertEquals(Map.of("check_x", List.of("/bin/true"), "check_y", List.of("/bin/y"), "check_z", List.of("/bin/z", "a b")),
                definitions(Map.of("config", config.toString(), "commands", Map.of("check_x", "/bin/true",
                        "check_z", "/bin/z 'a b'"))));
    }

    @Test
    void quotingWorksAsInAShell() throws CommandLine.RefusedException {
        assertEquals(List.of("/p/check_procs", "-a", "java|python", "--label=a b", "xy zw", "", "it's", "$HOME", "*"),
                CommandLine.split("/p/check_procs -a 'java|python' --label=\"a b\" x'y z'\"w\" '' \"it's\" '$HOME' '*'"));
        assertEquals(List.of("/bin/check", "a#b", "b~"), CommandLine.split("  /bin/check\ta#b b~  "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '^', value = {
            "/bin/check | cat                ^ `|` (a pipe)",
            "/bin/check || true              ^ `||` (a shell list)",
            "/bin/check; reboot              ^ `;` (a command separator)",
            "/bin/check && reboot            ^ `&&` (a shell list)",
            "/bin/check &                    ^ `&` (a background job)",
            "/bin/check > /tmp/out           ^ `>` (a redirection)",
            "/bin/check 2>&1                 ^ `>` (a redirection)",
            "/bin/check < /etc/passwd        ^ `<` (a redirection)",
            "/bin/check $(id)                ^ `$(` (command substitution)",
            "/bin/check `id`                 ^ a backtick (command substitution)",
            "/bin/check $HOME                ^ `$` (a variable)",
            "/bin/check \"$HOME\"            ^ `$` (a variable) inside double quotes",
            "/bin/check \"`id`\"             ^ a backtick (command substitution) inside double quotes",
            "/bin/check -w $ARG1$            ^ NRPE arguments ($ARGn$)",
            "/bin/check -w '$ARG1$'          ^ NRPE arguments ($ARGn$)",
            "/bin/check *.log                ^ `*` (a file name pattern",
            "/bin/check -a ?                 ^ `?` (a file name pattern",
            "/bin/check [a]                  ^ `[` (a file name pattern",
            "/bin/check (x)                  ^ `(` (a subshell)",
            "/bin/check a\\ b                ^ a backslash (a shell escape)",
            "/bin/check # comment            ^ `#` (a comment)",
            "/bin/check ~/x                  ^ `~` (a home directory)",
            "FOO=1 /bin/check                ^ a variable assignment (FOO=1)",
            "/bin/check 'open                ^ a single quote is not closed",
            "/bin/check \"open               ^ a double quote is not closed"})
    void definitionsNeedingAShellAreRefusedNamingTheCommand(String line, String why) throws Exception {
        Path config = write("nrpe.cfg", "command[check_ok]=/bin/true", "command[check_bad]=" + line.strip());
        ConfigException e = assertThrows(ConfigException.class, () -> definitions(config));
        assertTrue(e.getMessage().startsWith("NRPE command check_bad (" + config + ":2) cannot run without a shell: "),
                e.getMessage());
        assertTrue(e.getMessage().contains(why.strip()), e.getMessage());
        assertTrue(e.getMessage().contains("NRPE runs command lines through /bin/sh, Drover runs them as plain argument lists;"
                + " put shell logic in a script"), e.getMessage());
    }

    @Test
    void anEmptyDefinitionIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> definitions(Map.of("commands", Map.of("check_x", " "))));
        assertTrue(e.getMessage().startsWith("NRPE command check_x (agents.nrpe.commands) cannot run without a shell: the"
                + " command line is empty"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"check disk", "-check", ".hidden", "check/x", "check;x", ""})
    void namesThatCouldNeverBeRequestedAreRefused(String name) throws Exception {
        Path config = write("nrpe.cfg", "command[" + name + "]=/bin/true");
        ConfigException e = assertThrows(ConfigException.class, () -> definitions(config));
        assertTrue(e.getMessage().startsWith("NRPE command name '" + name + "' (" + config + ":1) cannot be requested"),
                e.getMessage());
    }

    @Test
    void brokenConfigurationsAreErrorsWithTheirPlace() throws Exception {
        Path missingInclude = write("a.cfg", "command[check_x]=/bin/true", "include=missing.cfg");
        ConfigException e = assertThrows(ConfigException.class, () -> definitions(missingInclude));
        assertTrue(e.getMessage().startsWith("cannot read NRPE configuration " + dir.resolve("missing.cfg") + " (included at "
                + missingInclude + ":2)"), e.getMessage());

        Path missingDir = write("b.cfg", "include_dir=nrpe.d");
        e = assertThrows(ConfigException.class, () -> definitions(missingDir));
        assertEquals(missingDir + ":1: include_dir " + dir.resolve("nrpe.d") + " is not a directory; fix or remove the include",
                e.getMessage());

        Path loop = write("loop.cfg", "command[check_x]=/bin/true", "include=loop2.cfg");
        write("loop2.cfg", "include=loop.cfg");
        e = assertThrows(ConfigException.class, () -> definitions(loop));
        assertTrue(e.getMessage().contains("includes itself"), e.getMessage());

        Path garbage = write("c.cfg", "command[check_x]=/bin/true", "this is not a setting");
        e = assertThrows(ConfigException.class, () -> definitions(garbage));
        assertEquals(garbage + ":2: 'this is not a setting' is not a setting (NAME=VALUE) or a comment (#)", e.getMessage());

        e = assertThrows(ConfigException.class, () -> definitions(dir.resolve("nope.cfg")));
        assertTrue(e.getMessage().startsWith("cannot read NRPE configuration " + dir.resolve("nope.cfg")), e.getMessage());

        Path empty = write("empty.cfg", "# nothing", "server_port=5666");
        e = assertThrows(ConfigException.class, () -> definitions(empty));
        assertTrue(e.getMessage().startsWith("no NRPE commands defined in " + empty), e.getMessage());

        e = assertThrows(ConfigException.class, () -> definitions(Map.of("config", empty.toString(), "commands",
                Map.of("check_x", 5))));
        assertTrue(e.getMessage().startsWith("agents.nrpe.commands: check_x must be a command line"), e.getMessage());
    }

    @Test
    void runsTheArgumentListWithThePluginTimeout() throws Exception {
        FakeCommandRunner runner = new FakeCommandRunner().answer(PLUGINS + "check_load -w 15,10,5 -c 30,25,20", 1,
                "LOAD WARNING - total load average: 16.00, 8.00, 4.00|load1=16.000;15.000;30.000;0;\n");
        NrpeChecks checks = new NrpeChecks(runner, Map.of("check_load",
                List.of(PLUGINS + "check_load", "-w", "15,10,5", "-c", "30,25,20")));
        CheckResult result = checks.run("check_load", Duration.ofSeconds(7));
        assertEquals(new CheckResult("check_load", 1, "LOAD WARNING - total load average: 16.00, 8.00, 4.00",
                "load1=16.000;15.000;30.000;0;"), result);
        assertEquals(Duration.ofSeconds(7), runner.runs().get(0).timeout());
        assertEquals(List.of(PLUGINS + "check_load", "-w", "15,10,5", "-c", "30,25,20"), runner.runs().get(0).args());
    }

    @Test
    void aTimeoutIsUnknown() throws Exception {
        FakeCommandRunner runner = new FakeCommandRunner().timeOut("/bin/sleep 60", Duration.ofSeconds(1));
        CheckResult result = new NrpeChecks(runner, Map.of("check_hang", List.of("/bin/sleep", "60")))
                .run("check_hang", Duration.ofSeconds(1));
        assertEquals(new CheckResult("check_hang", 3, "UNKNOWN: check timed out after 1 s and was killed", ""), result);
    }

    @Test
    void stderrOnlyStandsInForMissingOutput() throws Exception {
        FakeCommandRunner runner = new FakeCommandRunner().answer("/bin/quiet", 2, "", "Segmentation fault\n")
                .answer("/bin/silent", 0, "").answer("/bin/both", 0, "OK - fine\n", "deprecated option\n");
        NrpeChecks checks = new NrpeChecks(runner, Map.of("check_quiet", List.of("/bin/quiet"),
                "check_silent", List.of("/bin/silent"), "check_both", List.of("/bin/both")));
        assertEquals("Segmentation fault", checks.run("check_quiet", Duration.ofSeconds(1)).output());
        assertEquals("(no output from the check)", checks.run("check_silent", Duration.ofSeconds(1)).output());
        assertEquals("OK - fine", checks.run("check_both", Duration.ofSeconds(1)).output());
    }

    @Test
    void aPluginThatCannotStartIsUnknown() throws Exception {
        NrpeChecks checks = new NrpeChecks(new ProcessCommandRunner(List.of(), Duration.ofSeconds(5), 1000),
                Map.of("check_gone", List.of(dir.resolve("no-such-plugin").toString())));
        CheckResult result = checks.run("check_gone", Duration.ofSeconds(5));
        assertEquals(CheckState.UNKNOWN, result.state());
        assertTrue(result.output().startsWith("UNKNOWN: cannot run `" + dir.resolve("no-such-plugin") + "`"), result.output());
    }

    @Test
    void autoDetectsTheConfigFile() throws Exception {
        Path config = write("nrpe.cfg", "command[check_x]=/bin/true");
        NrpeAgent agent = (NrpeAgent) new NrpeAgent.Factory().create(new Settings("agents.nrpe",
                Map.of("config", config.toString())), null);
        assertEquals("nrpe", agent.provider());
        assertEquals(Set.of("check_x"), agent.checks().commands());
        ConfigException e = assertThrows(ConfigException.class, () -> new NrpeAgent.Factory().create(new Settings("agents.nrpe",
                Map.of("config", dir.resolve("missing.cfg").toString())), null));
        assertTrue(e.getMessage().startsWith("No nrpe provider works on this host (looked for: nrpe)"), e.getMessage());
    }

    @Test
    void commandTimeoutIsNotANrpeSetting() throws Exception {
        Path config = write("nrpe.cfg", "command[check_x]=/bin/true");
        ConfigException e = assertThrows(ConfigException.class, () -> new AgentHarness(Map.of("nrpe",
                Map.of("provider", "nrpe", "config", config.toString(), "command_timeout", 5))));
        assertTrue(e.getMessage().startsWith("Unknown setting [command_timeout] in agents.nrpe"), e.getMessage());
        assertTrue(e.getMessage().contains("timeout"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"check_x; reboot", "check_x && id", "$(id)", "`id`", "../check_x", "/bin/sh", "-h",
            "check x", "check_x|cat", "check_x\nid", "check_x>out"})
    void hostileCheckNamesAreRefusedBeforeAnythingRuns(String command) throws Exception {
        Path config = write("nrpe.cfg", "command[check_x]=/bin/true");
        AgentHarness agent = new AgentHarness(Map.of("nrpe", new HashMap<>(Map.of("provider", "nrpe", "config", config.toString()))));
        long started = ProcessCommandRunner.startedProcesses();
        Reply reply = agent.call("nrpe", "run_command", Map.of("command", command));
        assertEquals(Status.INVALID_DATA, reply.status(), reply.message());
        assertTrue(reply.message().startsWith("Input 'command' of nrpe.run_command"), reply.message());
        assertEquals(started, ProcessCommandRunner.startedProcesses(), "no process was started");
    }
}
