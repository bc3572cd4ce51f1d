package io.drover.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Something that happened to the runner's broker connection while a call waited: it was lost, recovered,
 * blocked by the broker (a memory or disk alarm) or unblocked. Recorded in {@link CallResult#connectionEvents()}
 * so a step's failure names the broker trouble instead of blaming silent hosts.
 *
 * @param kind   what happened
 * @param at     when, from the call's start; negative when it happened before the call started
 * @param detail the cause as the broker or client library gave it (e.g. "low on memory"), or ""
 */
public record ConnectionEvent(Kind kind, Duration at, String detail) {
    /** What happened to the connection. */
    public enum Kind {
        LOST, RECOVERED, BLOCKED, UNBLOCKED
    }

    public ConnectionEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        detail = detail == null ? "" : detail;
    }
}
