package io.drover.agents.firewall;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.IpAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code nftables} provider: Drover's own {@code inet} table ({@code drover} by default) with two interval
 * sets, {@code blocked4} and {@code blocked6}, and an {@code input} chain at filter priority that drops traffic
 * from their addresses. Blocking adds a set element; nothing outside the table is ever changed. An interval set
 * cannot hold overlapping entries: blocking 10.1.2.3 while 10.0.0.0/8 is blocked fails and says so.
 *
 * <p>Settings: {@code table}, {@code command_prefix}, {@code command_timeout} (seconds, default 30).
 */
final class NftablesFirewall implements FirewallProvider {
    static final String DEFAULT_TABLE = "drover";
    static final String SET4 = "blocked4";
    static final String SET6 = "blocked6";
    static final String CHAIN = "input";
    /** A plain identifier: nft parses its whole command line, so the name must not carry syntax. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");

    private final CommandRunner runner;
    private final String table;

    public NftablesFirewall(Settings settings) {
        this(settings, CommandRunner.fromSettings(settings, 30));
    }

    NftablesFirewall(Settings settings, CommandRunner runner) {
        this.runner = runner;
        this.table = settings.string("table", DEFAULT_TABLE);
        if (!TABLE_NAME.matcher(table).matches()) {
            throw settings.invalid("table", "'" + table + "' is not a table name Drover can use; use letters, digits "
                    + "and '_' (at most 32, starting with a letter); default " + DEFAULT_TABLE);
        }
    }

    @Override
    public String name() {
        return "nftables";
    }

    @Override
    public synchronized boolean block(IpAddress address) throws ActionFailedException {
        ensureReady();
        if (present(address)) {
            return false;
        }
        CommandResult added = runner.run(element("add", address));
        if (added.succeeded()) {
            return true;
        }
        String problem = added.describe();
        // nft 1.0.6: "interval overlaps with an existing one", or "conflicting intervals specified" within one batch
        if (added.stderr().contains("overlaps") || added.stderr().contains("conflicting intervals")) {
            List<String> conflicts = new ArrayList<>();
            for (String entry : listSet(setFor(address))) {
                if (IpAddress.parse(entry).overlaps(address)) {
                    conflicts.add(entry);
                }
            }
            problem += "; " + address + " overlaps " + (conflicts.isEmpty() ? "an entry" : String.join(", ", conflicts))
                    + " already blocked, and an nftables interval set cannot hold overlapping entries: unblock "
                    + (conflicts.size() == 1 ? "it" : "them") + " first, or keep the wider one";
        }
        throw new ActionFailedException(problem, Map.of("exitcode", added.exitCode()));
    }

    @Override
    public synchronized boolean unblock(IpAddress address) throws ActionFailedException {
        ensureReady();
        if (!present(address)) {
            return false;
        }
        runner.check(element("delete", address));
        return true;
    }

    @Override
    public synchronized boolean isBlocked(IpAddress address) throws ActionFailedException {
        ensureReady();
        return present(address);
    }

    @Override
    public synchronized List<String> listBlocked() throws ActionFailedException {
        ensureReady();
        Set<String> blocked = new TreeSet<>(listSet(SET4));
        blocked.addAll(listSet(SET6));
        return new ArrayList<>(blocked);
    }

    @Override
    public synchronized boolean blockedNow(IpAddress address) throws ActionFailedException {
        return setNow(setFor(address)) != null && present(address);
    }

    @Override
    public synchronized List<String> listBlockedNow() throws ActionFailedException {
        Set<String> blocked = new TreeSet<>();
        for (String set : List.of(SET4, SET6)) {
            List<String> entries = setNow(set);
            if (entries != null) {
                blocked.addAll(entries);
            }
        }
        return new ArrayList<>(blocked);
    }

    /** Also says when {@link #block} would fail because the address overlaps an entry already in the interval set. */
    @Override
    public synchronized boolean wouldBlock(IpAddress address) throws ActionFailedException {
        List<String> entries = setNow(setFor(address));
        if (entries == null) {
            return true;
        }
        if (present(address)) {
            return false;
        }
        List<String> conflicts = new ArrayList<>();
        for (String entry : entries) {
            if (IpAddress.parse(entry).overlaps(address)) {
                conflicts.add(entry);
            }
        }
        if (!conflicts.isEmpty()) {
            throw new ActionFailedException("would fail: " + address + " overlaps " + String.join(", ", conflicts) + " already blocked, "
                    + "and an nftables interval set cannot hold overlapping entries: unblock " + (conflicts.size() == 1 ? "it" : "them")
                    + " first, or keep the wider one");
        }
        return true;
    }

    /** The elements of Drover's set, read-only, or null when its table or set does not exist (nft exits 1). */
    private List<String> setNow(String set) throws ActionFailedException {
        CommandResult listing = runner.run(Command.of("nft", "-j", "list", "set", "inet", table, set));
        if (!listing.succeeded()) {
            if (!listing.timedOut() && listing.exitCode() == 1) {
                return null;
            }
            throw new ActionFailedException(listing.describe(), Map.of("exitcode", listing.exitCode()));
        }
        try {
            return NftOutput.setElements(listing.stdout());
        } catch (IllegalArgumentException e) {
            throw new ActionFailedException("cannot read the output of `nft -j list set inet " + table + " " + set + "`: "
                    + e.getMessage());
        }
    }

    private List<String> listSet(String set) throws ActionFailedException {
        CommandResult listing = runner.check(Command.of("nft", "-j", "list", "set", "inet", table, set));
        try {
            return NftOutput.setElements(listing.stdout());
        } catch (IllegalArgumentException e) {
            throw new ActionFailedException("cannot read the output of `nft -j list set inet " + table + " " + set + "`: "
                    + e.getMessage());
        }
    }

    /**
     * Makes sure the table, sets, chain and both drop rules exist. Checked on every action (one listing) because
     * {@code nft flush ruleset} or a firewall reload removes them; created only when something is missing.
     */
    private void ensureReady() throws ActionFailedException {
        CommandResult chain = runner.run(Command.of("nft", "-j", "list", "chain", "inet", table, CHAIN));
        try {
            if (chain.succeeded() && NftOutput.hasDropRules(chain.stdout(), SET4, SET6)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            throw new ActionFailedException("cannot read the output of `nft -j list chain inet " + table + " " + CHAIN
                    + "`: " + e.getMessage());
        }
        runner.check(Command.of("nft", setupScript()));
    }

    /**
     * One nft command line, so one transaction: it applies whole or not at all. {@code add} leaves an existing
     * table, set or chain (and the set's elements) as it is; {@code add rule} would not, so the chain, which
     * only Drover uses, is flushed and its two rules added again in the same transaction.
     */
    String setupScript() {
        String t = "inet " + table;
        return String.join("; ",
                "add table " + t,
                "add set " + t + " " + SET4 + " { type ipv4_addr; flags interval; }",
                "add set " + t + " " + SET6 + " { type ipv6_addr; flags interval; }",
                "add chain " + t + " " + CHAIN + " { type filter hook input priority 0; policy accept; }",
                "flush chain " + t + " " + CHAIN,
                "add rule " + t + " " + CHAIN + " ip saddr @" + SET4 + " drop",
                "add rule " + t + " " + CHAIN + " ip6 saddr @" + SET6 + " drop");
    }

    /**
     * Whether {@code address} itself is in its set. {@code nft get element} also succeeds for an address inside a
     * blocked network, printing the network, so the printed element must be the address asked for.
     */
    private boolean present(IpAddress address) throws ActionFailedException {
        CommandResult result = runner.run(element("get", address));
        if (result.succeeded()) {
            return NftOutput.printedElements(result.stdout()).contains(address.toString());
        }
        // With the set in place (ensureReady), exit 1 means "no such element"; anything else is a real failure.
        if (!result.timedOut() && result.exitCode() == 1) {
            return false;
        }
        throw new ActionFailedException(result.describe(), Map.of("exitcode", result.exitCode()));
    }

    /**
     * {@code nft VERB element inet TABLE SET { ADDRESS }}. nft joins its arguments and parses them as one command
     * line, so separate arguments alone would not stop injection: the address is safe because an
     * {@link IpAddress} can only hold a parsed, canonical address.
     */
    private Command element(String verb, IpAddress address) {
        return Command.of("nft", verb, "element", "inet", table, setFor(address), "{", address.toString(), "}");
    }

    private static String setFor(IpAddress address) {
        return address.isIpv6() ? SET6 : SET4;
    }
}
