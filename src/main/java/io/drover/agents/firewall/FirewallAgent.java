package io.drover.agents.firewall;

import io.drover.agent.command.Programs;
import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.Actions;
import io.drover.agent.plugin.ProviderPlugin;
import io.drover.agent.plugin.ProviderPluginFactory;
import io.drover.agent.plugin.Providers;
import io.drover.catalog.IpAddress;

import java.util.List;
import java.util.Map;

import static io.drover.catalog.FirewallCatalog.ADDRESS;
import static io.drover.catalog.FirewallCatalog.BLOCK;
import static io.drover.catalog.FirewallCatalog.BLOCKED;
import static io.drover.catalog.FirewallCatalog.CATALOG;
import static io.drover.catalog.FirewallCatalog.IS_BLOCKED;
import static io.drover.catalog.FirewallCatalog.LIST_BLOCKED;
import static io.drover.catalog.FirewallCatalog.UNBLOCK;

/** The {@code firewall} agent: block, unblock, is_blocked, list_blocked. Block and unblock are idempotent. */
public final class FirewallAgent extends ProviderPlugin<FirewallProvider> {
    public FirewallAgent(FirewallProvider provider) {
        super(provider, Actions.of(CATALOG)
                .on(BLOCK, inputs -> {
                    IpAddress address = IpAddress.parse(inputs.string(ADDRESS));
                    boolean changed = provider.block(address);
                    return ActionResult.changed(changed, changed ? "blocked " + address : address + " was already blocked",
                            Map.of(ADDRESS, address.toString(), BLOCKED, true));
                }, inputs -> {
                    IpAddress address = IpAddress.parse(inputs.string(ADDRESS));
                    boolean would = provider.wouldBlock(address);
                    return ActionResult.changed(would, would ? "would block " + address : address + " is already blocked, nothing to do",
                            Map.of(ADDRESS, address.toString(), BLOCKED, true));
                })
                .on(UNBLOCK, inputs -> {
                    IpAddress address = IpAddress.parse(inputs.string(ADDRESS));
                    boolean changed = provider.unblock(address);
                    return ActionResult.changed(changed, changed ? "unblocked " + address : address + " was not blocked",
                            Map.of(ADDRESS, address.toString(), BLOCKED, false));
                }, inputs -> {
                    IpAddress address = IpAddress.parse(inputs.string(ADDRESS));
                    boolean would = provider.blockedNow(address);
                    return ActionResult.changed(would, would ? "would unblock " + address : address + " is not blocked, nothing to do",
                            Map.of(ADDRESS, address.toString(), BLOCKED, false));
                })
                .on(IS_BLOCKED, inputs -> blockedResult(inputs, provider::isBlocked), inputs -> blockedResult(inputs, provider::blockedNow))
                .on(LIST_BLOCKED, inputs -> listResult(provider.listBlocked()), inputs -> listResult(provider.listBlockedNow())));
    }

    /** The question {@code is_blocked} asks: for real, or read-only for a dry run. */
    private interface BlockedQuery {
        boolean blocked(IpAddress address) throws ActionFailedException;
    }

    private static ActionResult blockedResult(io.drover.catalog.Inputs inputs, BlockedQuery query) throws ActionFailedException {
        IpAddress address = IpAddress.parse(inputs.string(ADDRESS));
        boolean blocked = query.blocked(address);
        return ActionResult.of(address + (blocked ? " is blocked" : " is not blocked"), Map.of(ADDRESS, address.toString(), BLOCKED, blocked));
    }

    private static ActionResult listResult(List<String> blocked) {
        return ActionResult.of(blocked.size() + " blocked", Map.of(BLOCKED, blocked));
    }

    public FirewallProvider firewall() {
        return provided();
    }

    /**
     * The providers this plugin can use. {@code auto} (or no {@code provider}) picks iptables when the iptables
     * programs are installed, else nftables when nft is; the sandbox only when named.
     */
    static final Providers<FirewallProvider> PROVIDERS = Providers.<FirewallProvider>of(CATALOG.name())
            .with("sandbox", SandboxFirewall::new)
            .detected("iptables", settings -> Programs.exists("iptables") && Programs.exists("ip6tables"), IptablesFirewall::new)
            .detected("nftables", settings -> Programs.exists("nft"), NftablesFirewall::new);

    /** Creates the plugin with the provider named by {@code agents.firewall.provider}. */
    public static final class Factory extends ProviderPluginFactory<FirewallProvider> {
        public Factory() {
            super(CATALOG.name(), PROVIDERS, FirewallAgent::new);
        }
    }
}
