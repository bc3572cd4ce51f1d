package io.drover.agent;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.InputValidator;
import io.drover.agent.plugin.Inputs;
import io.drover.agent.plugin.InvalidInputException;
import io.drover.filter.Filter;
import io.drover.filter.FilterSyntaxException;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Names;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * Decides what a node does with one request, in this order: is it for this node (collective, targets,
 * filter), is it fresh (TTL, clock skew, replay), does the action exist, are the inputs valid; only then run
 * it. A broadcast whose filter does not match gets no reply: that is how discovery works. Everything else
 * gets a reply that says what happened.
 */
public final class RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger("io.drover.agent.requests");

    private final Clock clock;
    private final Duration clockSkew;
    private final int maxTtlSeconds;
    private final boolean logRequests;

    /**
     * @param clock         the node's clock, for TTL checks
     * @param clockSkew     how far in the future a request may be dated
     * @param maxTtlSeconds longest request validity accepted
     * @param logRequests   log one line per request handled (an emulated fleet turns this off)
     */
    public RequestHandler(Clock clock, Duration clockSkew, int maxTtlSeconds, boolean logRequests) {
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.maxTtlSeconds = maxTtlSeconds;
        this.logRequests = logRequests;
    }

    /** Handles a request; empty when the node must stay silent (a broadcast for other nodes). */
    public Optional<Reply> handle(Node node, Request request) {
        long started = System.nanoTime();
        Optional<Reply> reply = decide(node, request, started);
        reply.ifPresent(r -> log(node, request, r));
        return reply;
    }

    /**
     * Runs a local ping through the whole decision path once, without the broker, so the first real request
     * is not slowed by class loading; a slow first reply would stretch the client's discovery window.
     */
    void warmUp(Node node) {
        Request ping = new Request(Request.newId(), node.collectives().get(0), "rpcutil", "ping", Map.of(),
                "identity(" + node.identity() + ")", java.util.List.of(node.identity()), "warmup", clock.millis(), 1, null);
        decide(node, JsonCodec.instance().decodeRequest(JsonCodec.instance().encode(ping)), System.nanoTime())
                .ifPresent(reply -> JsonCodec.instance().encode(reply));
    }

    private Optional<Reply> decide(Node node, Request request, long started) {
        if (!node.collectives().contains(request.collective())) {
            return Optional.empty();
        }
        if (request.isDirected() && !request.targets().contains(node.identity())) {
            LOG.warn("{} {} id={} was directed at {}, not at this node; ignored", node.identity(),
                    request.qualifiedAction(), request.id(), request.targets());
            return Optional.empty();
        }
        if (request.filter() != null) {
            Filter filter;
            try {
                filter = Filter.parse(request.filter());
            } catch (FilterSyntaxException e) {
                return Optional.of(reply(node, request, Status.INVALID_DATA, "invalid filter: " + e.problem()
                        + " at position " + e.position(), Map.of(), started));
            }
            if (!filter.matches(node)) {
                if (request.isDirected()) {
                    return Optional.of(refuse(node, request, "this node does not match the request filter", started));
                }
                return Optional.empty();
            }
        }
        if (request.ttl() > maxTtlSeconds) {
            return Optional.of(reply(node, request, Status.INVALID_DATA, "ttl " + request.ttl()
                    + " s is longer than this node accepts (" + maxTtlSeconds + " s)", Map.of(), started));
        }
        String refusal = node.replayGuard().admit(request, clock.millis(), clockSkew);
        if (refusal != null) {
            return Optional.of(refuse(node, request, refusal, started));
        }
        AgentPlugin plugin = node.plugin(request.agent());
        if (plugin == null) {
            return Optional.of(reply(node, request, Status.UNKNOWN_ACTION, "agent " + request.agent()
                    + " is not enabled on this node (enabled: " + String.join(", ", node.agents()) + ")", Map.of(), started));
        }
        Action action = plugin.action(request.action());
        if (action == null) {
            return Optional.of(reply(node, request, Status.UNKNOWN_ACTION, "agent " + request.agent() + " has no action "
                    + request.action() + " (actions: " + plugin.actions().stream().map(Action::name)
                    .collect(Collectors.joining(", ")) + ")", Map.of(), started));
        }
        Inputs inputs;
        try {
            inputs = InputValidator.validate(plugin.name(), action, request.params());
        } catch (InvalidInputException e) {
            return Optional.of(reply(node, request, e.status(), e.getMessage(), Map.of(), started));
        }
        return Optional.of(run(node, request, plugin, action, inputs, started));
    }

    private Reply run(Node node, Request request, AgentPlugin plugin, Action action, Inputs inputs, long started) {
        ReentrantLock lock = plugin.serialized() ? node.lockFor(plugin.name()) : null;
        if (lock != null) {
            lock.lock();
        }
        try {
            ActionResult result = action.handler().run(inputs);
            return reply(node, request, Status.OK, result.message(), result.data(), started);
        } catch (ActionFailedException e) {
            return reply(node, request, Status.ABORTED, e.getMessage(), e.data(), started);
        } catch (RuntimeException e) {
            LOG.error("{} {} id={} failed unexpectedly", node.identity(), request.qualifiedAction(), request.id(), e);
            return reply(node, request, Status.UNKNOWN_ERROR, "internal error in " + request.qualifiedAction() + ": " + e,
                    Map.of(), started);
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    private static Reply refuse(Node node, Request request, String why, long started) {
        return reply(node, request, Status.ABORTED, "refused: " + why, Map.of(), started);
    }

    private static Reply reply(Node node, Request request, Status status, String message, Map<String, Object> data, long started) {
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        return new Reply(request.id(), node.identity(), request.agent(), request.action(), status, message, data, elapsedMs);
    }

    private void log(Node node, Request request, Reply reply) {
        if (!logRequests || !LOG.isInfoEnabled()) {
            return;
        }
        String outcome = reply.isOk()
                ? "OK" + (reply.data().containsKey("changed") ? " changed=" + reply.changed() : "")
                : reply.status() + ": " + reply.message();
        LOG.info("{} {}{} id={} caller={} -> {} ({} ms)", node.identity(), request.qualifiedAction(), describe(request.params()),
                request.id(), Names.printable(request.caller()), outcome, reply.elapsedMs());
    }

    /** Params for a log line: printable, and short even when the request was hostile. */
    private static String describe(Map<String, Object> params) {
        if (params.isEmpty()) {
            return "";
        }
        String text = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + Names.printable(String.valueOf(e.getValue())))
                .collect(Collectors.joining(", ", " {", "}"));
        return text.length() > 240 ? text.substring(0, 236) + "...}" : text;
    }
}
