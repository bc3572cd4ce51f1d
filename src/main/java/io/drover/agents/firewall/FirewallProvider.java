package io.drover.agents.firewall;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Provider;
import io.drover.catalog.IpAddress;

import java.util.List;

/**
 * Blocks and unblocks traffic from addresses. Implementations keep to entries they made themselves (their own
 * chain or table), and report whether a call changed anything so that actions are idempotent.
 */
public interface FirewallProvider extends Provider {
    /** Drops incoming traffic from {@code address}; returns false if it was already blocked. */
    boolean block(IpAddress address) throws ActionFailedException;

    /** Stops dropping traffic from {@code address}; returns false if it was not blocked. */
    boolean unblock(IpAddress address) throws ActionFailedException;

    boolean isBlocked(IpAddress address) throws ActionFailedException;

    /** Addresses blocked by this provider, canonical spelling, sorted. */
    List<String> listBlocked() throws ActionFailedException;

    /**
     * For dry runs: what {@link #isBlocked} would answer, asked without changing anything (where {@link #isBlocked}
     * would first put Drover's chain or table back, a missing one here means "not blocked").
     */
    default boolean blockedNow(IpAddress address) throws ActionFailedException {
        throw new ActionFailedException("cannot simulate: the " + name() + " firewall provider cannot tell without changing the host");
    }

    /** For dry runs: what {@link #listBlocked} would answer, asked without changing anything. */
    default List<String> listBlockedNow() throws ActionFailedException {
        throw new ActionFailedException("cannot simulate: the " + name() + " firewall provider cannot list without changing the host");
    }

    /**
     * For dry runs: whether {@link #block} would change anything, asked without changing anything; throws when it would
     * fail, saying why.
     */
    default boolean wouldBlock(IpAddress address) throws ActionFailedException {
        return !blockedNow(address);
    }
}
