package io.drover.agent.plugin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The providers a plugin can work through, by name, and the choice of one from the plugin's {@code provider}
 * setting. Without the setting (or with {@code provider: auto}) the first provider whose detector finds its
 * tools on this host is chosen; the sandbox is never chosen automatically. An unknown name, or no usable
 * provider, is an error listing the candidates.
 *
 * @param <P> the provider interface, e.g. {@code FirewallProvider}
 */
public final class Providers<P> {
    /** The {@code provider} value that asks for detection. */
    public static final String AUTO = "auto";

    private final String plugin;
    private final Map<String, Entry<P>> entries;

    private record Entry<P>(Function<Settings, P> factory, Predicate<Settings> detector) {
    }

    private Providers(String plugin, Map<String, Entry<P>> entries) {
        this.plugin = plugin;
        this.entries = entries;
    }

    public static <P> Providers<P> of(String plugin) {
        return new Providers<>(plugin, Map.of());
    }

    /** These providers plus {@code name}, chosen only when named explicitly. */
    public Providers<P> with(String name, Function<Settings, P> factory) {
        return add(name, new Entry<>(factory, null));
    }

    /**
     * These providers plus {@code name}, also chosen automatically when {@code available} says its tools are
     * on this host. Detection follows the order of registration.
     */
    public Providers<P> detected(String name, Predicate<Settings> available, Function<Settings, P> factory) {
        return add(name, new Entry<>(factory, available));
    }

    private Providers<P> add(String name, Entry<P> entry) {
        Map<String, Entry<P>> more = new LinkedHashMap<>(entries);
        more.put(name, entry);
        return new Providers<>(plugin, more);
    }

    /** The names of the providers, in registration order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /** The provider named by the {@code provider} setting, or detected; created from the same settings. */
    public P create(Settings settings) {
        String available = "available providers: " + String.join(", ", entries.keySet()) + " (or " + AUTO + ")";
        String name = settings.string("provider", AUTO);
        if (name.equals(AUTO)) {
            List<String> tried = new ArrayList<>();
            for (Map.Entry<String, Entry<P>> entry : entries.entrySet()) {
                if (entry.getValue().detector() == null) {
                    continue;
                }
                tried.add(entry.getKey());
                if (entry.getValue().detector().test(settings)) {
                    return entry.getValue().factory().apply(settings);
                }
            }
            throw new ConfigException("No " + plugin + " provider works on this host (looked for: "
                    + (tried.isEmpty() ? "none" : String.join(", ", tried)) + "); install its tools, or set "
                    + settings.where() + ".provider; " + available);
        }
        Entry<P> entry = entries.get(name);
        if (entry == null) {
            throw new ConfigException("Unknown " + plugin + " provider '" + name + "' in " + settings.where() + "; " + available);
        }
        return entry.factory().apply(settings);
    }
}
