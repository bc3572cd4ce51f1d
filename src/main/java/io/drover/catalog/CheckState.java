package io.drover.catalog;

/** Nagios plugin states, from the plugin's exit code. */
public enum CheckState {
    OK, WARNING, CRITICAL, UNKNOWN;

    public static CheckState ofExitCode(int exitCode) {
        return switch (exitCode) {
            case 0 -> OK;
            case 1 -> WARNING;
            case 2 -> CRITICAL;
            default -> UNKNOWN;
        };
    }
}
