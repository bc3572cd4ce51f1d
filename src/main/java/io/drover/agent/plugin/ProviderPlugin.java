package io.drover.agent.plugin;

import io.drover.catalog.AgentCatalog;

import java.util.List;
import java.util.Objects;

/**
 * A plugin whose actions work through one {@link Provider}: the catalog, the bound actions and the provider's
 * name in one place, so a plugin class holds only its handlers.
 *
 * @param <P> the provider interface, e.g. {@code FirewallProvider}
 */
public abstract class ProviderPlugin<P extends Provider> implements AgentPlugin {
    private final P provider;
    private final AgentCatalog catalog;
    private final List<Action> actions;

    /** @param actions the plugin's handlers bound to its catalog; bound here, so a mismatch fails now */
    protected ProviderPlugin(P provider, Actions actions) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.catalog = actions.catalog();
        this.actions = actions.bind();
    }

    @Override
    public final AgentCatalog catalog() {
        return catalog;
    }

    @Override
    public final List<Action> actions() {
        return actions;
    }

    @Override
    public final String provider() {
        return provider.name();
    }

    /** The provider doing the work, for tests and the sandbox that reach into it. */
    protected final P provided() {
        return provider;
    }
}
