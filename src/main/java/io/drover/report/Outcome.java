package io.drover.report;

import java.util.Locale;

/**
 * What became of one host in one step, as the fleet report colours it, and the names {@code drover-run.json} gives them
 * ({@link #key()}): stable, part of the format.
 */
enum Outcome {
    /** Answered OK and changed nothing (or, for a Then step, was in the stated state). */
    OK,
    /** Answered OK and the action changed it. */
    CHANGED,
    /** Answered with an error, or was in the wrong state, or answered without being asked. */
    FAILED,
    /** Refused the request: its clock, its policy, a replayed or expired request. */
    REFUSED,
    /** Never answered: not connected, silent until the timeout, or its reply could not be attributed to it. */
    NO_REPLY,
    /** Took no part: it failed an earlier step, its batch never started, or the step never ran. */
    SKIPPED,
    /** A dry run's answer: it says what the host would do, nothing was changed. */
    DRY_RUN;

    /** The name in {@code drover-run.json}, e.g. {@code no_reply}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a host with this outcome needs someone to look at it. */
    public boolean needsAttention() {
        return this == FAILED || this == REFUSED || this == NO_REPLY;
    }

    /**
     * The outcome of one row of a {@link HostTable}.
     *
     * @param dryRun whether the run is a dry run: its OK answers are predictions
     */
    static Outcome of(HostTable.Row row, boolean dryRun) {
        return switch (row.result()) {
            case HostTable.OK -> dryRun ? DRY_RUN : row.changed().equals("true") ? CHANGED : OK;
            case HostTable.NO_REPLY -> NO_REPLY;
            case HostTable.FAILED -> refusal(row.message()) ? REFUSED : FAILED;
            default -> FAILED;
        };
    }

    /** A node's refusal starts with "refused:" (freshness, replay, clock) or "denied:" (its policy). */
    private static boolean refusal(String message) {
        return message.startsWith("refused") || message.startsWith("denied");
    }
}
