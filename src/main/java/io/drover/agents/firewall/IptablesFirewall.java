package io.drover.agents.firewall;

import io.drover.agent.command.Command;
import io.drover.agent.command.CommandResult;
import io.drover.agent.command.CommandRunner;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;
import io.drover.catalog.IpAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code iptables} provider: one {@code -s ADDRESS -j DROP} rule per blocked address or network in Drover's
 * own chain, jumped to from the top of {@code INPUT}; IPv4 through {@code iptables}, IPv6 through
 * {@code ip6tables}. Works with both the nft and the legacy variant. Rules Drover did not make are never
 * changed, and {@code list_blocked} reports only Drover's.
 *
 * <p>Settings: {@code chain} (default {@code DROVER}), {@code iptables} and {@code ip6tables} (the programs,
 * e.g. {@code iptables-legacy}), {@code command_prefix}, {@code command_timeout} (seconds, default 30).
 */
final class IptablesFirewall implements FirewallProvider {
    static final String DEFAULT_CHAIN = "DROVER";
    /** iptables chain names: at most 28 characters; no leading '-' so a name is never taken for an option. */
    private static final Pattern CHAIN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,27}");
    private static final Set<String> BUILT_IN_CHAINS = Set.of("INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING");

    private final CommandRunner runner;
    private final String chain;
    private final String iptables;
    private final String ip6tables;
    private final Pattern ownRule;

    public IptablesFirewall(Settings settings) {
        this(settings, CommandRunner.fromSettings(settings, 30));
    }

    IptablesFirewall(Settings settings, CommandRunner runner) {
        this.runner = runner;
        this.chain = settings.string("chain", DEFAULT_CHAIN);
        if (!CHAIN_NAME.matcher(chain).matches() || BUILT_IN_CHAINS.contains(chain.toUpperCase(Locale.ROOT))) {
            throw settings.invalid("chain", "'" + chain + "' is not a chain name Drover can own; use letters, digits, "
                    + "'_' and '-' (at most 28, starting with a letter), not a built-in chain; default " + DEFAULT_CHAIN);
        }
        this.iptables = program(settings, "iptables");
        this.ip6tables = program(settings, "ip6tables");
        // Exactly the rules block() makes; anything else in the chain was put there by someone else.
        this.ownRule = Pattern.compile("-A " + Pattern.quote(chain) + " -s (\\S+) -j DROP");
    }

    private static String program(Settings settings, String key) {
        String program = settings.string(key, key);
        if (program.isBlank() || program.startsWith("-")) {
            throw settings.invalid(key, "'" + program + "' is not a program; give a name such as " + key
                    + " or " + key + "-legacy, or a full path");
        }
        return program;
    }

    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public synchronized boolean block(IpAddress address) throws ActionFailedException {
        String program = programFor(address);
        ensureHooked(program);
        if (present(program, address)) {
            return false;
        }
        runner.check(command(program, "-A", chain, "-s", address.toString(), "-j", "DROP"));
        return true;
    }

    @Override
    public synchronized boolean unblock(IpAddress address) throws ActionFailedException {
        String program = programFor(address);
        ensureHooked(program);
        boolean changed = false;
        // -D removes one matching rule; a duplicate (say, added by hand) would keep the address blocked.
        while (present(program, address)) {
            runner.check(command(program, "-D", chain, "-s", address.toString(), "-j", "DROP"));
            changed = true;
        }
        return changed;
    }

    @Override
    public synchronized boolean isBlocked(IpAddress address) throws ActionFailedException {
        String program = programFor(address);
        ensureHooked(program);
        return present(program, address);
    }

    @Override
    public synchronized List<String> listBlocked() throws ActionFailedException {
        Set<String> blocked = new TreeSet<>();
        for (String program : List.of(iptables, ip6tables)) {
            ensureHooked(program);
            CommandResult listing = runner.check(command(program, "-S", chain));
            blocked.addAll(parseRules(listing));
        }
        return new ArrayList<>(blocked);
    }

    @Override
    public synchronized boolean blockedNow(IpAddress address) throws ActionFailedException {
        String program = programFor(address);
        return chainExists(program) && present(program, address);
    }

    @Override
    public synchronized List<String> listBlockedNow() throws ActionFailedException {
        Set<String> blocked = new TreeSet<>();
        for (String program : List.of(iptables, ip6tables)) {
            CommandResult listing = runner.run(command(program, "-S", chain));
            if (listing.succeeded()) {
                blocked.addAll(parseRules(listing));
            } else if (!missingChain(listing)) {
                throw new ActionFailedException(listing.describe(), Map.of("exitcode", listing.exitCode()));
            }
        }
        return new ArrayList<>(blocked);
    }

    /** Whether Drover's chain exists, asked with {@code -S} (read-only); only "no such chain" counts as no. */
    private boolean chainExists(String program) throws ActionFailedException {
        CommandResult listing = runner.run(command(program, "-S", chain));
        if (listing.succeeded()) {
            return true;
        }
        if (missingChain(listing)) {
            return false;
        }
        throw new ActionFailedException(listing.describe(), Map.of("exitcode", listing.exitCode()));
    }

    /** iptables exits 1 for a chain that does not exist; 2 and up are usage, permission and lock problems. */
    private static boolean missingChain(CommandResult result) {
        return !result.timedOut() && result.exitCode() == 1;
    }

    /** Drover's addresses in the output of {@code iptables -S CHAIN}, canonical. */
    List<String> parseRules(CommandResult listing) throws ActionFailedException {
        List<String> addresses = new ArrayList<>();
        for (String line : listing.stdout().split("\n")) {
            Matcher rule = ownRule.matcher(line.strip());
            if (!rule.matches()) {
                continue;
            }
            try {
                // iptables prints 10.1.2.3/32 and 2001:db8::1/128; parsing drops the full-length prefix.
                addresses.add(IpAddress.parse(rule.group(1)).toString());
            } catch (IllegalArgumentException e) {
                throw new ActionFailedException("`" + String.join(" ", listing.command()) + "` printed a rule with an address Drover "
                        + "cannot read (" + e.getMessage() + "): " + line.strip() + "; remove that rule from chain " + chain);
            }
        }
        return addresses;
    }

    /**
     * Makes sure the chain exists and INPUT jumps to it, at the top so Drover's drops come before the host's own
     * ACCEPT rules. Checked on every action (one cheap {@code -C}) because a firewall reload or {@code iptables -F}
     * removes the jump, and a rule in an unreachable chain blocks nothing; created only when missing.
     */
    private void ensureHooked(String program) throws ActionFailedException {
        if (runner.run(command(program, "-C", "INPUT", "-j", chain)).succeeded()) {
            return;
        }
        if (!runner.run(command(program, "-S", chain)).succeeded()) {
            runner.check(command(program, "-N", chain));
        }
        runner.check(command(program, "-I", "INPUT", "-j", chain));
    }

    /** Asks the kernel whether Drover's rule for {@code address} exists. */
    private boolean present(String program, IpAddress address) throws ActionFailedException {
        CommandResult result = runner.run(command(program, "-C", chain, "-s", address.toString(), "-j", "DROP"));
        if (result.succeeded()) {
            return true;
        }
        // With the chain in place (ensureHooked), exit 1 means "no such rule"; anything else is a real failure.
        if (!result.timedOut() && result.exitCode() == 1) {
            return false;
        }
        throw new ActionFailedException(result.describe(), Map.of("exitcode", result.exitCode()));
    }

    private String programFor(IpAddress address) {
        return address.isIpv6() ? ip6tables : iptables;
    }

    /** {@code -w}: wait for the xtables lock rather than fail when another program holds it. */
    private static Command command(String program, String... args) {
        List<String> full = new ArrayList<>(args.length + 2);
        full.add(program);
        full.add("-w");
        full.addAll(List.of(args));
        return Command.of(full);
    }
}
