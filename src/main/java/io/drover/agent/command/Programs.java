package io.drover.agent.command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds programs on the runner's search path, for provider detection. */
public final class Programs {
    private Programs() {
    }

    /** The executable {@code name} in the directories of the commands' {@code PATH}, if there is one. */
    public static Optional<Path> find(String name) {
        if (name.contains("/")) {
            Path path = Path.of(name);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        for (String dir : ProcessCommandRunner.BASE_ENVIRONMENT.get("PATH").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static boolean exists(String name) {
        return find(name).isPresent();
    }
}
