package io.drover.client;

import java.time.Duration;

/** Told, from the waiting thread and at most every couple of seconds, how a long call is going. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (replied, expected, failed, elapsed) -> {
    };

    /**
     * @param replied  replies so far
     * @param expected nodes expected to reply
     * @param failed   replies so far that were not OK
     * @param elapsed  time since the request was published
     */
    void progress(int replied, int expected, int failed, Duration elapsed);
}
