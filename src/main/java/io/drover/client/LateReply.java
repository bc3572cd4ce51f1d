package io.drover.client;

import io.drover.protocol.Reply;

import java.time.Duration;

/**
 * A reply from a host that a call had given up on: it arrived after the call's timeout. The call already
 * reported the host as without a reply; this record says what it answered in the end.
 *
 * @param requestId the request it answers
 * @param action    the call's {@code agent.action}
 * @param reply     the reply as received (its sender is the host)
 * @param at        when it arrived, from the call's start
 */
public record LateReply(String requestId, String action, Reply reply, Duration at) {
    public String host() {
        return reply.sender();
    }

    /** E.g. "answered after the step gave up: OK at 31.2 s". */
    public String describe() {
        return "answered after the step gave up: " + outcome();
    }

    /** E.g. "OK at 31.2 s" or "status 1 aborted at 45 s". */
    public String outcome() {
        return (reply.isOk() ? "OK" : "status " + reply.status()) + " at " + CallResult.seconds(at);
    }
}
