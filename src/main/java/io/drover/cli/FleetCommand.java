package io.drover.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.Discovery;
import io.drover.client.DroverClient;
import io.drover.report.HostTable;
import io.drover.filter.FilterSyntaxException;
import io.drover.protocol.Reply;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * The commands that talk to a fleet: {@code ping}, {@code discover}, {@code inventory}, {@code rpc}. Exit codes
 * ({@link ExitCodes}): 0 every host answered OK, 1 some host refused (discovery or the call), failed, did not
 * answer or nothing matched, 2 bad usage, and the codes of a broker that cannot be reached or refuses the login.
 */
@Command(mixinStandardHelpOptions = true, sortOptions = false)
abstract class FleetCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    protected final PrintStream out;
    protected final PrintStream err;
    @Mixin
    protected FleetOptions options;
    @Spec
    protected CommandSpec spec;
    /** Hosts that refused discovery, with why: they are reported with the call and make it exit 1. */
    private final SortedMap<String, String> refusedDiscovery = new TreeMap<>();
    /** Whether the requests go out as dry runs ({@code drover rpc --dry-run}, or {@code DROVER_DRY_RUN=true}). */
    private boolean dryRunning;

    FleetCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs with a connected client; returns the exit code. */
    abstract int run(DroverClient client) throws Exception;

    /** Checks the command's own arguments before anything connects; throws a {@link ParameterException} if wrong. */
    void validate() {
    }

    /** Runs this command alone, as {@code drover NAME ARGS}; returns the exit code. */
    final int main(String[] args) {
        return Main.execute(Main.configure(new CommandLine(this), out, err), args);
    }

    @Override
    public final Integer call() throws Exception {
        // Usage mistakes are reported before connecting, with the usage.
        try {
            options.filter();
        } catch (FilterSyntaxException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e, null, null);
        }
        options.expected();
        validate();
        try (DroverClient client = options.connect()) {
            dryRunning = client.options().dryRun();
            return run(client);
        }
    }

    /** A usage mistake in this command's arguments. */
    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Discovers the hosts of the options' filter; prints why and returns null when none (or the wrong number) answered. */
    protected SortedSet<String> discover(DroverClient client) {
        Discovery discovery = client.discover(options.filter(), options.discoveryOptions());
        refusedDiscovery.putAll(discovery.refused());
        discovery.refused().forEach((host, why) -> err.println(host + " refused discovery: " + why));
        if (discovery.identities().isEmpty() && !discovery.refused().isEmpty()) {
            err.println("Every host matching " + discovery.filter().describe() + " refused discovery; nothing was run");
            return null;
        }
        if (!discovery.missing().isEmpty()) {
            discovery.missing().forEach((host, why) -> err.println(host + " " + why));
            err.println(discovery.missing().size() + " host(s) that must take part did not answer discovery; nothing was run");
            return null;
        }
        if (discovery.identities().isEmpty()) {
            err.println("No host matched " + discovery.filter().describe() + " (" + discovery.ended().description() + " after "
                    + discovery.elapsed().toMillis() + " ms)" + (client.options().signer() == null
                    ? "; requests are unsigned: agents obey only signed requests unless configured otherwise (--key)" : ""));
            return null;
        }
        Integer expected = options.expected();
        if (expected != null && discovery.size() != expected) {
            err.println("Expected " + expected + " hosts but " + discovery.size() + " answered: " + String.join(", ", discovery.identities()));
            return null;
        }
        return discovery.identities();
    }

    /** Runs a call with progress on a terminal. */
    protected CallResult call(DroverClient client, Call call) {
        Progress progress = Progress.onStderr(call.qualifiedAction());
        try {
            return client.call(call.onProgress(progress));
        } finally {
            progress.done();
        }
    }

    /** Prints a call's per-host table and summary (or JSON); returns 0 when every host answered OK. */
    protected int report(CallResult result) throws Exception {
        HostTable table = HostTable.of(result);
        if (options.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("request_id", result.requestId());
            json.put("agent", result.agent());
            json.put("action", result.action());
            json.put("elapsed_ms", result.elapsed().toMillis());
            if (dryRunning) {
                json.put("dry_run", true);
            }
            List<Map<String, Object>> hosts = new ArrayList<>();
            result.replies().forEach((host, reply) -> hosts.add(host(host, reply.isOk() ? "ok" : "failed", reply)));
            result.missing().forEach((host, why) -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("host", host);
                entry.put("result", "missing");
                entry.put("message", why);
                hosts.add(entry);
            });
            result.unexpected().forEach((host, reply) -> hosts.add(host(host, "unexpected", reply)));
            refusedDiscovery.forEach((host, why) -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("host", host);
                entry.put("result", "refused_discovery");
                entry.put("message", why);
                hosts.add(entry);
            });
            json.put("hosts", hosts);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("expected", result.expected().size());
            summary.put("ok", table.okCount());
            summary.put("failed", result.failures().size());
            summary.put("missing", result.missing().size());
            summary.put("unexpected", result.unexpected().size());
            summary.put("refused_discovery", refusedDiscovery.size());
            summary.put("changed", result.changed().size());
            if (dryRunning) {
                summary.put("would_change", wouldChange(result));
            }
            json.put("summary", summary);
            if (!table.connection().isEmpty()) {
                // What happened to the runner's broker connection during the call, as the table's last line says.
                json.put("broker_connection", table.connection());
            }
            out.println(JSON.writeValueAsString(json));
        } else {
            out.print(table.render());
            String summary = summary(result, table);
            if (dryRunning) {
                summary = "DRY RUN (nothing was changed): " + summary + "; " + wouldChange(result) + " would change";
            }
            out.println(refusedDiscovery.isEmpty() ? summary
                    : summary + "; " + refusedDiscovery.size() + " more refused discovery: " + String.join(", ", refusedDiscovery.keySet()));
        }
        // A host that refused discovery was not asked, but it is one of the hosts the command was for.
        return result.allOk() && refusedDiscovery.isEmpty() ? 0 : 1;
    }

    private static long wouldChange(CallResult result) {
        return result.replies().values().stream().filter(reply -> reply.isOk() && reply.wouldChange()).count();
    }

    private static Map<String, Object> host(String host, String outcome, Reply reply) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("host", host);
        entry.put("result", outcome);
        entry.put("status", reply.status().code());
        entry.put("message", reply.message());
        entry.put("data", reply.data());
        return entry;
    }

    static String summary(CallResult result, HostTable table) {
        StringBuilder out = new StringBuilder();
        out.append(result.qualifiedAction()).append(": ").append(table.okCount()).append(" of ").append(result.expected().size())
                .append(" hosts OK");
        if (!result.failures().isEmpty()) {
            out.append(", ").append(result.failures().size()).append(" failed");
        }
        if (!result.missing().isEmpty()) {
            out.append(", ").append(result.missing().size()).append(" did not answer");
        }
        if (!result.unexpected().isEmpty()) {
            out.append(", ").append(result.unexpected().size()).append(" unexpected");
        }
        if (!result.changed().isEmpty()) {
            out.append(", ").append(result.changed().size()).append(" changed");
        }
        return out.append(" (").append(result.elapsed().toMillis()).append(" ms)").toString();
    }
}
