package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A path setting that aims a package tool at a private root or configuration ({@code apt_config},
 * {@code installroot}, ...). Such a path must exist: a missing {@code APT_CONFIG} file makes apt fall back to
 * the host's configuration with only a warning, a missing {@code dpkg-query --root} reads as "nothing
 * installed", and dnf creates a missing install root. So it is checked when the agent starts and again before
 * every command. With a {@code command_prefix} (another mount namespace) the path is the target's, and the
 * agent cannot check it.
 *
 * @param setting   where the path was configured, e.g. {@code agents.package.apt_config}
 * @param path      the absolute path
 * @param directory whether it must be a directory (else a regular file)
 * @param checked   whether it is on this host's file system, so the agent can check it
 */
record ProviderPath(String setting, String path, boolean directory, boolean checked) {
    /** The path configured as {@code key}, or null when unset. */
    static ProviderPath read(Settings settings, String key, boolean directory, boolean checked) {
        String value = settings.string(key, null);
        if (value == null) {
            return null;
        }
        if (!value.startsWith("/")) {
            throw settings.invalid(key, "must be an absolute path, got '" + value + "'");
        }
        ProviderPath path = new ProviderPath(settings.where() + "." + key, value, directory, checked);
        String problem = path.problem();
        if (problem != null) {
            throw settings.invalid(key, problem);
        }
        return path;
    }

    /** Fails unless the path still exists, so a package tool never falls back to the host's own setup. */
    void verify() throws ActionFailedException {
        String problem = problem();
        if (problem != null) {
            throw new ActionFailedException(setting + ": " + problem + "; nothing was run");
        }
    }

    private String problem() {
        if (!checked) {
            return null;
        }
        Path file = Path.of(path);
        if (directory ? Files.isDirectory(file) : Files.isRegularFile(file)) {
            return null;
        }
        return path + " is not " + (directory ? "a directory" : "a file") + "; create it or fix the setting";
    }
}
