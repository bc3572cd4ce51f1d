package io.drover.cli;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerSetupCommandTest {
    /** Answers rabbitmqctl by its subcommand; records every command. */
    private static final class Ctl implements CommandRunner {
        final List<Command> runs = new ArrayList<>();
        final Function<List<String>, CommandResult> answer;

        Ctl(Function<List<String>, CommandResult> answer) {
            this.answer = answer;
        }

        @Override
        public CommandResult run(Command command) {
            runs.add(command);
            return answer.apply(command.args());
        }

        @Override
        public List<String> prefix() {
            return List.of();
        }

        List<String> subcommands() {
            return runs.stream().map(c -> c.args().get(c.args().indexOf("--silent") + 1)).toList();
        }
    }

    private static CommandResult result(List<String> args, int exit, String stdout, String stderr) {
        return new CommandResult(args, exit, stdout, stderr, false, false, Duration.ofMillis(1));
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Ctl ctl, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new BrokerSetupCommand(ctl, Map.of("HOME", "/var/lib/rabbitmq"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).main(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A broker with vhost / and users guest and alice. */
    private static Ctl existingAlice() {
        return new Ctl(args -> {
            if (args.contains("list_vhosts")) {
                return result(args, 0, "/\n", "");
            }
            if (args.contains("list_users")) {
                return result(args, 0, "guest\t[administrator]\nalice\t[]\n", "");
            }
            return result(args, 0, "", "");
        });
    }

    @Test
    void createsOnlyMissingUsersAndSetsEveryPermission() {
        Ctl ctl = existingAlice();
        Run run = run(ctl, "setup", "--runner", "alice", "--node", "web1.example.com", "--collective", "prod", "-n", "rabbit@broker1");
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("list_vhosts", "list_users", "add_user", "clear_password", "set_permissions", "set_topic_permissions",
                "set_permissions", "set_topic_permissions"), ctl.subcommands());
        Command addUser = ctl.runs.get(2);
        assertEquals(List.of("rabbitmqctl", "-n", "rabbit@broker1", "--silent", "add_user", "web1.example.com"), addUser.args().subList(0, 6));
        String password = addUser.args().get(6);
        assertTrue(password.length() >= 20, "a random password");
        assertFalse(run.out().contains(password) || run.err().contains(password), "the password is never printed");
        assertTrue(run.out().contains("(1 created)"), run.out());
        assertEquals(List.of("rabbitmqctl", "-n", "rabbit@broker1", "--silent", "set_permissions", "-p", "/", "web1.example.com",
                "^(drover\\.prod\\.(node\\.web1\\.example\\.com|broadcast|directed|registry))$",
                "^(amq\\.default|drover\\.prod\\.(node\\.web1\\.example\\.com|registry))$",
                "^(drover\\.prod\\.(node\\.web1\\.example\\.com|broadcast|directed|registry))$"), ctl.runs.get(6).args());
        assertEquals("/var/lib/rabbitmq", ctl.runs.get(0).environment().get("HOME"), "rabbitmqctl finds its Erlang cookie");
    }

    @Test
    void dryRunRunsNothingAndShowsNoPassword() {
        Ctl ctl = existingAlice();
        Run run = run(ctl, "setup", "--runner", "alice", "--node", "web1.example.com", "--dry-run", "--vhost", "deploys");
        assertEquals(0, run.exit(), run.err());
        assertTrue(ctl.runs.isEmpty());
        assertTrue(run.out().contains("rabbitmqctl --silent add_vhost deploys"), run.out());
        assertTrue(run.out().contains("rabbitmqctl --silent add_user web1.example.com '***'"), run.out());
        assertTrue(run.out().contains("set_topic_permissions -p deploys alice drover.drover.broadcast '^[a-z][a-z0-9_]*$' '^$'"), run.out());
    }

    @Test
    void readsNodesFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("nodes.txt");
        Files.writeString(file, "# the web tier\nweb1.example.com\n\n  web2.example.com  \n");
        Run run = run(existingAlice(), "setup", "--nodes-file", file.toString(), "--dry-run");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("add_user web1.example.com") && run.out().contains("add_user web2.example.com"), run.out());
    }

    @Test
    void badUsageIsRefusedBeforeAnythingRuns() {
        Ctl ctl = existingAlice();
        for (String[] args : List.of(new String[]{"setup"}, new String[]{"setup", "--node", "web1;rm -rf /"},
                new String[]{"setup", "--node", "a", "--runner", "a"}, new String[]{"setup", "--node", "a", "--collective", "x.*"},
                new String[]{"setup", "--node", "a", "--vhost", "--help"}, new String[]{"setup", "--node", "a", "-n", "--help"},
                new String[]{"teardown"}, new String[]{"setup", "--node", "a", "--nodes-file", "/nonexistent/nodes.txt"})) {
            Run run = run(ctl, args);
            assertEquals(2, run.exit(), String.join(" ", args) + ": " + run.out());
            assertTrue(run.err().startsWith("drover broker: "), run.err());
        }
        assertTrue(ctl.runs.isEmpty());
    }

    @Test
    void aFailingRabbitmqctlSaysWhatFailedWithoutThePassword() {
        Ctl ctl = new Ctl(args -> {
            if (args.contains("add_user")) {
                return result(args, 70, "", "Error: password " + args.get(args.size() - 1) + " rejected");
            }
            return existingAlice().answer.apply(args);
        });
        Run run = run(ctl, "setup", "--node", "web1.example.com");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("add_user web1.example.com '***'` exited 70: Error: password *** rejected"), run.err());
        String password = ctl.runs.get(2).args().get(ctl.runs.get(2).args().size() - 1);
        assertFalse(run.err().contains(password));
    }
}
