package io.drover.agents.nrpe;

import io.drover.catalog.CheckState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CheckResultTest {
    @Test
    void textAndPerfdata() {
        CheckResult result = CheckResult.parse("check_load", 0,
                "OK - load average: 0.21, 0.18, 0.12|load1=0.210;15.000;30.000;0; load5=0.180;10.000;25.000;0;\n");
        assertEquals("OK - load average: 0.21, 0.18, 0.12", result.output());
        assertEquals("load1=0.210;15.000;30.000;0; load5=0.180;10.000;25.000;0;", result.perfdata());
        assertEquals(CheckState.OK, result.state());
    }

    @Test
    void spacesAroundTheBarAreStripped() {
        CheckResult result = CheckResult.parse("check_http", 0, "  HTTP OK: 200 OK   |   time=0.004s;;;0.000000  ");
        assertEquals("HTTP OK: 200 OK", result.output());
        assertEquals("time=0.004s;;;0.000000", result.perfdata());
    }

    @Test
    void noPerfdata() {
        CheckResult result = CheckResult.parse("check_users", 1, "USERS WARNING - 12 users currently logged in");
        assertEquals("USERS WARNING - 12 users currently logged in", result.output());
        assertEquals("", result.perfdata());
        assertEquals(CheckState.WARNING, result.state());
    }

    @Test
    void emptyAndNullOutput() {
        assertEquals(new CheckResult("c", 3, "", ""), CheckResult.parse("c", 3, null));
        assertEquals(new CheckResult("c", 0, "", ""), CheckResult.parse("c", 0, "  \n "));
    }

    @Test
    void longOutputWithPerfdataOnLaterLines() {
        // The example of the Nagios plugin guidelines: perfdata on the first line, and more after a | in the long output.
        String raw = String.join("\n",
                "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968",
                "/ 15272 MB (77%);",
                "/boot 68 MB (69%);",
                "/home 69357 MB (27%);",
                "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98",
                "/home=69357MB;253404;253409;0;253414",
                "/var/log=818MB;970;975;0;980");
        CheckResult result = CheckResult.parse("check_disk", 0, raw);
        assertEquals(String.join("\n",
                "DISK OK - free space: / 3326 MB (56%);",
                "/ 15272 MB (77%);",
                "/boot 68 MB (69%);",
                "/home 69357 MB (27%);",
                "/var/log 819 MB (84%);"), result.output());
        assertEquals("/=2643MB;5948;5958;0;5968 /boot=68MB;88;93;0;98 /home=69357MB;253404;253409;0;253414"
                + " /var/log=818MB;970;975;0;980", result.perfdata());
    }

    @Test
    void longOutputWithoutPerfdata() {
        CheckResult result = CheckResult.parse("check_raid", 2, "RAID CRITICAL - 1 degraded\nmd0: degraded\nmd1: ok\n");
        assertEquals("RAID CRITICAL - 1 degraded\nmd0: degraded\nmd1: ok", result.output());
        assertEquals("", result.perfdata());
        assertEquals(CheckState.CRITICAL, result.state());
    }

    @Test
    void perfdataOnlyInTheLongOutput() {
        CheckResult result = CheckResult.parse("check_x", 0, "X OK\ndetail line | a=1;2;3\nb=4");
        assertEquals("X OK\ndetail line", result.output());
        assertEquals("a=1;2;3 b=4", result.perfdata());
    }

    @Test
    void dataOutputs() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("command", "check_load");
        expected.put("exitcode", 2);
        expected.put("state", "CRITICAL");
        expected.put("output", "CRITICAL - load 40");
        expected.put("perfdata", "load1=40");
        Map<String, Object> data = CheckResult.parse("check_load", 2, "CRITICAL - load 40|load1=40").toData();
        assertEquals(expected, data);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(data.keySet()));
    }

    @ParameterizedTest(name = "exit {0} -> {1}")
    @CsvSource({"0, OK", "1, WARNING", "2, CRITICAL", "3, UNKNOWN", "4, UNKNOWN", "-1, UNKNOWN", "127, UNKNOWN", "255, UNKNOWN"})
    void stateOfExitCode(int exitCode, CheckState state) {
        assertEquals(state, CheckState.ofExitCode(exitCode));
        assertEquals(state, new CheckResult("c", exitCode, "", "").state());
    }
}
