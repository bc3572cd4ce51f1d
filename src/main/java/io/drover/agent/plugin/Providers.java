package io.drover.agent.plugin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The providers a plugin can work through, by name, and the choice of one from the plugin's {@code provider}
 * setting: an unknown or missing name is an error listing the available ones.
 *
 * @param <P> the provider interface, e.g. {@code FirewallProvider}
 */
public final class Providers<P> {
    private final String plugin;
    private final Map<String, Function<Settings, P>> factories;

    private Providers(String plugin, Map<String, Function<Settings, P>> factories) {
        this.plugin = plugin;
        this.factories = factories;
    }

    public static <P> Providers<P> of(String plugin) {
        return new Providers<>(plugin, Map.of());
    }

    /** These providers plus {@code name}, created from the plugin's settings by {@code factory}. */
    public Providers<P> with(String name, Function<Settings, P> factory) {
        Map<String, Function<Settings, P>> more = new LinkedHashMap<>(factories);
        more.put(name, factory);
        return new Providers<>(plugin, more);
    }

    /** The provider named by the {@code provider} setting, created from the same settings. */
    public P create(Settings settings) {
        String available = "available providers: " + String.join(", ", factories.keySet());
        String name = settings.requiredString("provider", available);
        Function<Settings, P> factory = factories.get(name);
        if (factory == null) {
            throw new ConfigException("Unknown " + plugin + " provider '" + name + "' in " + settings.where() + "; " + available);
        }
        return factory.apply(settings);
    }
}
