package io.drover.agents.firewall;

import io.drover.agent.command.Programs;
import io.drover.agent.plugin.Action;
import io.drover.agent.plugin.ActionResult;
import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.Input;
import io.drover.agent.plugin.NodeContext;
import io.drover.agent.plugin.PluginFactory;
import io.drover.agent.plugin.Providers;
import io.drover.agent.plugin.Settings;

import java.util.List;
import java.util.Map;

/** The {@code firewall} agent: block, unblock, is_blocked, list_blocked. Block and unblock are idempotent. */
public final class FirewallAgent implements AgentPlugin {
    static final Input ADDRESS = Input.string("address").required().maxLength(64)
            .convertedBy(text -> IpAddress.parse(text).toString())
            .describedAs("IPv4 or IPv6 address or network, e.g. 192.168.1.1, 10.0.0.0/8, 2001:db8::1");

    private final FirewallProvider provider;
    private final List<Action> actions;

    public FirewallAgent(FirewallProvider provider) {
        this.provider = provider;
        this.actions = List.of(
                Action.named("block", "Drop incoming traffic from an address").input(ADDRESS)
                        .output("changed", "false if the address was already blocked")
                        .output("blocked", "always true after success")
                        .handledBy(inputs -> {
                            IpAddress address = IpAddress.parse(inputs.string("address"));
                            boolean changed = provider.block(address);
                            return ActionResult.changed(changed,
                                    changed ? "blocked " + address : address + " was already blocked",
                                    Map.of("address", address.toString(), "blocked", true));
                        }),
                Action.named("unblock", "Stop dropping incoming traffic from an address").input(ADDRESS)
                        .output("changed", "false if the address was not blocked")
                        .output("blocked", "always false after success")
                        .handledBy(inputs -> {
                            IpAddress address = IpAddress.parse(inputs.string("address"));
                            boolean changed = provider.unblock(address);
                            return ActionResult.changed(changed,
                                    changed ? "unblocked " + address : address + " was not blocked",
                                    Map.of("address", address.toString(), "blocked", false));
                        }),
                Action.named("is_blocked", "Whether traffic from an address is dropped").input(ADDRESS)
                        .output("blocked", "true if blocked")
                        .handledBy(inputs -> {
                            IpAddress address = IpAddress.parse(inputs.string("address"));
                            boolean blocked = provider.isBlocked(address);
                            return ActionResult.of(address + (blocked ? " is blocked" : " is not blocked"),
                                    Map.of("address", address.toString(), "blocked", blocked));
                        }),
                Action.named("list_blocked", "Addresses blocked by Drover on this node")
                        .output("blocked", "list of addresses")
                        .handledBy(inputs -> {
                            List<String> blocked = provider.listBlocked();
                            return ActionResult.of(blocked.size() + " blocked", Map.of("blocked", blocked));
                        }));
    }

    @Override
    public String name() {
        return "firewall";
    }

    @Override
    public String description() {
        return "Block and unblock incoming traffic by source address";
    }

    @Override
    public List<Action> actions() {
        return actions;
    }

    @Override
    public String provider() {
        return provider.name();
    }

    public FirewallProvider firewall() {
        return provider;
    }

    /**
     * The providers this plugin can use. {@code auto} (or no {@code provider}) picks iptables when the iptables
     * programs are installed, else nftables when nft is; the sandbox only when named.
     */
    static final Providers<FirewallProvider> PROVIDERS = Providers.<FirewallProvider>of("firewall")
            .with("sandbox", SandboxFirewall::new)
            .detected("iptables", settings -> Programs.exists("iptables") && Programs.exists("ip6tables"), IptablesFirewall::new)
            .detected("nftables", settings -> Programs.exists("nft"), NftablesFirewall::new);

    /** Creates the plugin with the provider named by {@code agents.firewall.provider}. */
    public static final class Factory implements PluginFactory {
        @Override
        public String name() {
            return "firewall";
        }

        @Override
        public AgentPlugin create(Settings settings, NodeContext node) {
            return new FirewallAgent(PROVIDERS.create(settings));
        }
    }
}
