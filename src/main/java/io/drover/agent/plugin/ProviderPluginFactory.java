package io.drover.agent.plugin;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Creates a {@link ProviderPlugin} with the provider its {@code provider} setting names (or detection picks).
 * A subclass with a public no-argument constructor is what {@code META-INF/services} lists.
 *
 * @param <P> the provider interface
 */
public abstract class ProviderPluginFactory<P extends Provider> implements PluginFactory {
    private final String name;
    private final Providers<P> providers;
    private final BiFunction<P, Settings, AgentPlugin> plugin;

    /** A factory of plugins made from their provider alone. */
    protected ProviderPluginFactory(String name, Providers<P> providers, Function<P, AgentPlugin> plugin) {
        this(name, providers, (provider, settings) -> plugin.apply(provider));
    }

    /** A factory of plugins made from their provider and further settings of their section. */
    protected ProviderPluginFactory(String name, Providers<P> providers, BiFunction<P, Settings, AgentPlugin> plugin) {
        this.name = Objects.requireNonNull(name, "name");
        this.providers = Objects.requireNonNull(providers, "providers");
        this.plugin = Objects.requireNonNull(plugin, "plugin");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final AgentPlugin create(Settings settings, NodeContext node) {
        return plugin.apply(providers.create(settings), settings);
    }
}
