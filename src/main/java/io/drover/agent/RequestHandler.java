package io.drover.agent;

import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionHandler;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.catalog.Inputs;
import io.drover.catalog.InvalidInputException;
import io.drover.filter.Filter;
import io.drover.filter.FilterSyntaxException;
import io.drover.protocol.JsonCodec;
import io.drover.protocol.Names;
import io.drover.protocol.Reply;
import io.drover.protocol.Request;
import io.drover.protocol.Status;
import io.drover.security.AuditLog;
import io.drover.security.RequestSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * Decides what a node does with one request, in this order: is it for this node (collective, targets), is it
 * signed by a trusted caller, does the filter match, is it fresh (TTL, clock skew, replay), does the policy
 * allow it (for a directed request: before the filter); only then is its id remembered; does the action exist,
 * was it created after this node began serving, are the inputs valid; then wait
 * for the plugin's turn (never past the request's deadline), check the deadline again, audit the intent and only
 * then run it (in a dry run: its dry-run handler, which changes nothing), and audit the outcome, a dry run marked as
 * such (an action never runs unaudited, nor after its caller stopped waiting). A
 * broadcast whose filter does not
 * match gets no reply: that is how discovery works; nor does a broadcast that fails the signature check, so a
 * forged broadcast cannot make every node answer. Everything else gets a reply that says what happened, and
 * every decision about a request meant for this node is logged and audited.
 */
public final class RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger("io.drover.agent.requests");

    private final Clock clock;
    private final Duration clockSkew;
    private final int maxTtlSeconds;
    private final boolean logRequests;
    private final RequestSecurity security;
    /** Outcomes of signature checks by request (records compare by every field, signature included). */
    private final Map<Request, Optional<String>> verified = new ConcurrentHashMap<>();
    private final Map<String, Filter> filters = new ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 1024;
    private volatile Digested lastDigest;

    private record Digested(Request request, String digest) {
    }

    /**
     * What was decided: the reply (none for silence), the audit verdict and why; {@code audited} when the
     * decision was already recorded (an action records its intent and outcome itself).
     */
    private record Outcome(Reply reply, String verdict, String reason, boolean audited) {
        Outcome(Reply reply, String verdict, String reason) {
            this(reply, verdict, reason, false);
        }

        static Outcome silence() {
            return new Outcome(null, null, null);
        }
    }

    /**
     * A handler without signature checks, policy or audit: for tests and in-process use.
     *
     * @see #RequestHandler(Clock, Duration, int, boolean, RequestSecurity)
     */
    public RequestHandler(Clock clock, Duration clockSkew, int maxTtlSeconds, boolean logRequests) {
        this(clock, clockSkew, maxTtlSeconds, logRequests, RequestSecurity.none());
    }

    /**
     * @param clock         the node's clock, for TTL checks
     * @param clockSkew     how far in the future a request may be dated
     * @param maxTtlSeconds longest request validity accepted
     * @param logRequests   log one line per request handled (an emulated fleet turns this off)
     * @param security      signature checks, policy, audit and reply signing
     */
    public RequestHandler(Clock clock, Duration clockSkew, int maxTtlSeconds, boolean logRequests, RequestSecurity security) {
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.maxTtlSeconds = maxTtlSeconds;
        this.logRequests = logRequests;
        this.security = security;
    }

    /** Handles a request; empty when the node must stay silent (a broadcast for other nodes). */
    public Optional<Reply> handle(Node node, Request request) {
        long started = System.nanoTime();
        Outcome outcome = decide(node, request, started, false);
        if (outcome.verdict() != null) {
            audit(node, request, outcome);
            log(node, request, outcome);
        }
        Reply reply = outcome.reply();
        return Optional.ofNullable(reply == null ? null : authenticate(reply, request));
    }

    /**
     * Binds a reply to exactly the request it answers (its digest), so a refusal of an altered copy cannot pass for
     * the answer to the original, and signs it with the sender's node key when this host has one. Every reply a
     * node sends must go through here, or runners reject it as unsigned.
     */
    public Reply authenticate(Reply reply, Request request) {
        String digest = digest(request);
        return security.replySigner() != null ? security.replySigner().sign(reply, digest) : reply.withAuthentication(digest, null, null);
    }

    /** The request's digest; a host serving many nodes gets the same decoded request for each, so remember the last. */
    private String digest(Request request) {
        Digested last = lastDigest;
        if (last != null && last.request() == request) {
            return last.digest();
        }
        String digest = JsonCodec.instance().digest(request);
        lastDigest = new Digested(request, digest);
        return digest;
    }

    /** Marks that {@code node} is about to (re)declare its queue in {@code collective}: older requests cannot be for it. */
    void serving(Node node, String collective) {
        node.replayGuard().serving(collective, clock.millis());
    }

    /**
     * Runs a local ping through the decision path once, without the broker or the audit, so the first real
     * request is not slowed by class loading; a slow first reply would stretch the client's discovery window.
     */
    void warmUp(Node node) {
        if (security.verifier() != null) {
            security.verifier().warmUp();
        }
        Request ping = new Request(Request.newId(), node.collectives().get(0), "rpcutil", "ping", Map.of(),
                "identity(" + node.identity() + ")", List.of(node.identity()), "warmup", clock.millis(), 1, null);
        Outcome outcome = decide(node, JsonCodec.instance().decodeRequest(JsonCodec.instance().encode(ping)), System.nanoTime(), true);
        if (outcome.reply() != null) {
            JsonCodec.instance().encode(outcome.reply());
        }
    }

    private Outcome decide(Node node, Request request, long started, boolean warmUp) {
        if (!node.collectives().contains(request.collective())) {
            return Outcome.silence();
        }
        if (request.isDirected() && !request.targets().contains(node.identity())) {
            return new Outcome(null, "refused", "directed at " + request.targets() + ", not at this node");
        }
        if (security.verifier() != null && !warmUp) {
            String refusal = verify(request);
            if (refusal != null) {
                // Answer a directed request so its caller learns why; stay silent to a broadcast.
                return new Outcome(request.isDirected() ? refuse(node, request, refusal, started) : null, "refused", refusal);
            }
        }
        // A directed request meets the policy before its filter, so a caller the policy denies cannot make the
        // node parse and evaluate a filter of its choosing. A broadcast keeps the filter first: its non-matching
        // nodes must stay silent, not all answer "denied".
        if (request.isDirected()) {
            Outcome denied = denied(node, request, started, warmUp);
            if (denied != null) {
                return denied;
            }
        }
        if (request.filter() != null) {
            Filter filter;
            try {
                filter = filter(request.filter());
            } catch (FilterSyntaxException e) {
                String why = "invalid filter: " + e.problem() + " at position " + e.position();
                return new Outcome(reply(node, request, Status.INVALID_DATA, why, Map.of(), started), "invalid", why);
            }
            if (!filter.matches(node)) {
                return request.isDirected()
                        ? refused(node, request, "this node does not match the request filter", started)
                        : Outcome.silence();
            }
        }
        if (request.ttl() > maxTtlSeconds) {
            String why = "ttl " + request.ttl() + " s is longer than this node accepts (" + maxTtlSeconds + " s)";
            return new Outcome(reply(node, request, Status.INVALID_DATA, why, Map.of(), started), "invalid", why);
        }
        String stale = node.replayGuard().check(request, clock.millis(), clockSkew);
        if (stale != null) {
            return refused(node, request, stale, started);
        }
        if (!request.isDirected()) {
            Outcome denied = denied(node, request, started, warmUp);
            if (denied != null) {
                return denied;
            }
        }
        // Only now, signed and allowed, may the request take room among the ids remembered for its caller.
        String repeat = warmUp ? null : node.replayGuard().remember(request, clock.millis(), clockSkew);
        if (repeat != null) {
            return refused(node, request, repeat, started);
        }
        AgentPlugin plugin = node.plugin(request.agent());
        if (plugin == null) {
            String why = "agent " + request.agent() + " is not enabled on this node (enabled: " + String.join(", ", node.agents()) + ")";
            return new Outcome(reply(node, request, Status.UNKNOWN_ACTION, why, Map.of(), started), "invalid", why);
        }
        Action action;
        try {
            // The catalog's words for an unknown action and bad inputs: the runner refuses with the same ones.
            action = plugin.action(plugin.catalog().requireAction(request.action()).name());
        } catch (InvalidInputException e) {
            return invalid(node, request, e, started);
        }
        // Read-only actions keep the clock-skew allowance, as with their deadline; actions that change the host do not.
        String early = node.replayGuard().createdBeforeServing(request, plugin.serialized() ? Duration.ZERO : clockSkew);
        if (early != null) {
            return refused(node, request, early, started);
        }
        Inputs inputs;
        try {
            inputs = action.validate(plugin.name(), request.params());
        } catch (InvalidInputException e) {
            return invalid(node, request, e, started);
        }
        return run(node, request, plugin, action, inputs, started, warmUp);
    }

    private Outcome invalid(Node node, Request request, InvalidInputException e, long started) {
        return new Outcome(reply(node, request, e.status(), e.getMessage(), Map.of(), started), "invalid", e.getMessage());
    }

    /** The policy's refusal, or null when there is no policy or it allows the request. */
    private Outcome denied(Node node, Request request, long started, boolean warmUp) {
        if (security.policy() == null || warmUp) {
            return null;
        }
        String denial = security.policy().denial(request.caller(), request.agent(), request.action(), node);
        return denial == null ? null
                : new Outcome(reply(node, request, Status.ABORTED, "denied: " + denial, Map.of(), started), "denied", denial);
    }

    /**
     * Whether {@code request} is for {@code node} and its signature still has to be checked: a check costs about
     * 0.6 ms, so the host runs it apart from the delivery threads ({@link SignatureChecks}).
     */
    boolean signatureCheckPending(Node node, Request request) {
        return security.verifier() != null && node.collectives().contains(request.collective())
                && (!request.isDirected() || request.targets().contains(node.identity())) && !verified.containsKey(request);
    }

    /** Checks the signature now (once per distinct request); the outcome is remembered for {@link #handle}. */
    void checkSignature(Request request) {
        if (security.verifier() != null) {
            verify(request);
        }
    }

    /**
     * Whether a "busy" reply may go to {@code request}: only to a request whose signature was checked and held, so
     * forged requests never make a node publish (and sign) anything.
     */
    boolean verified(Request request) {
        if (security.verifier() == null) {
            return true;
        }
        Optional<String> known = verified.get(request);
        return known != null && known.isEmpty();
    }

    /**
     * The signature check, done once per distinct request: a host serving many nodes gets the same broadcast
     * for each of them, and an Ed25519 verification costs far more than the lookup.
     */
    private String verify(Request request) {
        Optional<String> known = verified.get(request);
        if (known == null) {
            known = Optional.ofNullable(security.verifier().refusal(request));
            if (verified.size() >= CACHE_LIMIT) {
                verified.clear();
            }
            verified.put(request, known);
        }
        return known.orElse(null);
    }

    private Filter filter(String expression) {
        Filter filter = filters.get(expression);
        if (filter == null) {
            filter = Filter.parse(expression);
            if (filters.size() >= CACHE_LIMIT) {
                filters.clear();
            }
            filters.put(expression, filter);
        }
        return filter;
    }

    /**
     * Runs the action once it may: after the plugin's lock (waited for no longer than the request stays valid),
     * only if the request is still valid then, and only once its intent is in the audit log. The outcome is
     * audited after the action; when that fails the reply still tells what the action did.
     */
    private Outcome run(Node node, Request request, AgentPlugin plugin, Action action, Inputs inputs, long started, boolean warmUp) {
        ReentrantLock lock = plugin.serialized() ? node.lockFor(plugin.name()) : null;
        String waitingFor = lock == null ? null : "the " + plugin.name() + " lock";
        // Actions that change the host (the serialized plugins) never start after created + ttl; read-only ones
        // keep the clock-skew allowance the request was admitted with.
        Deadline deadline = new Deadline(request, clock, plugin.serialized() ? Duration.ZERO : clockSkew);
        try {
            if (lock != null && !deadline.acquire(lock)) {
                return refused(node, request, deadline.expiredWhileWaitingFor(waitingFor), started);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return refused(node, request, "interrupted while waiting for " + waitingFor + " (the agent is stopping); "
                    + "the action was not run", started);
        }
        try {
            if (deadline.expired()) {
                return refused(node, request, waitingFor == null ? deadline.expiredBeforeStart()
                        : deadline.expiredWhileWaitingFor(waitingFor), started);
            }
            if (warmUp) {
                Reply reply = act(node, request, action, inputs, started);
                return new Outcome(reply, "ran", reply.isOk() ? null : reply.message(), true);
            }
            String intentLost = record(node, request, "started", null, -1);
            if (intentLost != null) {
                String why = "audit log unavailable: " + intentLost + "; the action was not run";
                LOG.error("{} did not run {} id={}: {}", node.identity(), Names.printable(request.qualifiedAction()),
                        Names.printable(request.id()), why);
                return new Outcome(reply(node, request, Status.UNKNOWN_ERROR, why, Map.of(), started), "refused", why, true);
            }
            Reply reply = act(node, request, action, inputs, started);
            String reason = reply.isOk() ? null : reply.message();
            String outcomeLost = record(node, request, "ran", reason, reply.status().code());
            if (outcomeLost != null) {
                LOG.error("{} ran {} id={} (status {}) but could not audit its outcome: {}", node.identity(),
                        Names.printable(request.qualifiedAction()), Names.printable(request.id()), reply.status().code(), outcomeLost);
                reply = new Reply(reply.requestId(), reply.sender(), reply.agent(), reply.action(), reply.status(),
                        reply.message() + " (audit log unavailable: " + outcomeLost + "; this outcome was not audited)",
                        reply.data(), reply.elapsedMs());
            }
            return new Outcome(reply, "ran", reason, true);
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    /**
     * Runs the action, or in a dry run its dry-run handler, which changes nothing; an action without one answers that it
     * cannot be simulated rather than guess. A dry run's reply data says so ({@code dry_run}) and carries the
     * handler's {@code changed} as {@code would_change}, {@code changed} itself being false: nothing changed.
     */
    private static Reply act(Node node, Request request, Action action, Inputs inputs, long started) {
        ActionHandler handler = request.dryRun() ? action.dryRunHandler() : action.handler();
        if (handler == null) {
            return reply(node, request, Status.ABORTED, "cannot simulate " + request.qualifiedAction() + ": the " + request.agent()
                    + " plugin declares no dry-run handler for it, so a dry run cannot say what it would do; nothing was run "
                    + "(run it for real, or give the action a dry-run handler, see docs/architecture.md)",
                    dryRunData(Map.of()), started);
        }
        try {
            ActionResult result = handler.run(inputs);
            return reply(node, request, Status.OK, result.message(), request.dryRun() ? dryRunData(result.data()) : result.data(), started);
        } catch (ActionFailedException e) {
            return reply(node, request, Status.ABORTED, e.getMessage(), request.dryRun() ? dryRunData(e.data()) : e.data(), started);
        } catch (RuntimeException e) {
            LOG.error("{} {} id={} failed unexpectedly", node.identity(), Names.printable(request.qualifiedAction()),
                    Names.printable(request.id()), e);
            return reply(node, request, Status.UNKNOWN_ERROR, "internal error in " + request.qualifiedAction() + ": " + e,
                    Map.of(), started);
        }
    }

    /** A dry run's reply data: marked, {@code changed} (what would change) moved to {@code would_change}. */
    static Map<String, Object> dryRunData(Map<String, Object> data) {
        Map<String, Object> marked = new java.util.LinkedHashMap<>(data);
        marked.put(Reply.DRY_RUN, true);
        marked.put(Reply.WOULD_CHANGE, Boolean.TRUE.equals(data.get(Reply.CHANGED)));
        if (marked.containsKey(Reply.CHANGED)) {
            marked.put(Reply.CHANGED, false);
        }
        return marked;
    }

    private static Outcome refused(Node node, Request request, String why, long started) {
        return new Outcome(refuse(node, request, why, started), "refused", why);
    }

    private static Reply refuse(Node node, Request request, String why, long started) {
        return reply(node, request, Status.ABORTED, "refused: " + why, Map.of(), started);
    }

    private static Reply reply(Node node, Request request, Status status, String message, Map<String, Object> data, long started) {
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        return new Reply(request.id(), node.identity(), request.agent(), request.action(), status, message, data, elapsedMs);
    }

    private void audit(Node node, Request request, Outcome outcome) {
        if (outcome.audited()) {
            return;
        }
        Reply reply = outcome.reply();
        String lost = record(node, request, outcome.verdict(), outcome.reason(), reply == null ? -1 : reply.status().code());
        if (lost != null) {
            // Nothing ran: the reply stays what it is, the operator learns from the agent's log.
            LOG.error("{} could not audit a {} request id={}: {}", node.identity(), outcome.verdict(),
                    Names.printable(request.id()), lost);
        }
    }

    /** Writes one audit record; returns why it could not be written, or null. */
    private String record(Node node, Request request, String verdict, String reason, int status) {
        try {
            security.audit().record(new AuditLog.Entry(Instant.now(clock), node.identity(), request.id(), request.caller(),
                    request.agent(), request.action(), request.params(), verdict, reason, status, request.dryRun()));
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    private void log(Node node, Request request, Outcome outcome) {
        Reply reply = outcome.reply();
        boolean refused = !outcome.verdict().equals("ran");
        if (!(refused ? LOG.isWarnEnabled() : logRequests && LOG.isInfoEnabled())) {
            return;
        }
        String result;
        if (reply == null) {
            result = outcome.verdict() + " without reply: " + outcome.reason();
        } else if (reply.isOk()) {
            result = "OK" + (reply.data().containsKey("changed") ? " changed=" + reply.changed() : "");
        } else {
            result = reply.status() + ": " + reply.message();
        }
        String line = String.format("%s %s%s%s id=%s caller=%s -> %s (%d ms)", node.identity(), request.dryRun() ? "DRY RUN " : "",
                Names.printable(request.qualifiedAction()), describe(request.params()), Names.printable(request.id()), Names.printable(request.caller(), 256), result,
                reply == null ? 0 : reply.elapsedMs());
        if (refused && !outcome.verdict().equals("invalid")) {
            LOG.warn(line);
        } else if (logRequests) {
            LOG.info(line);
        }
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
