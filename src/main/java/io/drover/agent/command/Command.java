package io.drover.agent.command;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run: an argument list (never a shell line), extra environment variables and an optional
 * timeout overriding the runner's default.
 *
 * @param args        program and arguments; nothing is interpreted by a shell
 * @param environment variables added to the runner's minimal environment, e.g. {@code APT_CONFIG}
 * @param timeout     how long the command may run, or {@code null} for the runner's default
 */
public record Command(List<String> args, Map<String, String> environment, Duration timeout) {
    public Command {
        args = List.copyOf(args);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a command needs a program");
        }
        for (String arg : args) {
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a command argument contains a NUL character");
            }
        }
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }

    public static Command of(String... args) {
        return new Command(List.of(args), Map.of(), null);
    }

    public static Command of(List<String> args) {
        return new Command(args, Map.of(), null);
    }

    public Command withEnvironment(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(environment);
        more.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
        return new Command(args, more, timeout);
    }

    public Command withTimeout(Duration value) {
        return new Command(args, environment, value);
    }

    /** The command as a person would type it, for messages; arguments with spaces are quoted. */
    public String display() {
        return display(args);
    }

    static String display(List<String> args) {
        StringBuilder out = new StringBuilder();
        for (String arg : args) {
            if (out.length() > 0) {
                out.append(' ');
            }
            boolean quote = arg.isEmpty() || arg.chars().anyMatch(c -> Character.isWhitespace(c) || "'\"$`\\;&|<>()*?".indexOf(c) >= 0);
            out.append(quote ? "'" + arg.replace("'", "'\\''") + "'" : arg);
        }
        return out.toString();
    }
}
