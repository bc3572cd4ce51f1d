package io.drover.agent.plugin;

import io.drover.catalog.ActionSpec;
import io.drover.catalog.AgentCatalog;
import io.drover.catalog.InputType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Binds a plugin's handlers to the actions of its catalog, by name. Binding a handler to an action the catalog
 * does not declare, or leaving a declared action without one, fails when the plugin is created, with an error
 * naming both sides, so a plugin can never offer what its catalog does not say or say what it does not do.
 *
 * <p>Dry runs: {@link #on(String, ActionHandler, ActionHandler)} gives an action that changes the host a second handler
 * that says what the first would do, asking the host only read-only questions; {@link #readOnly} binds an action that
 * changes nothing, which then runs as usual in a dry run. An action bound with {@link #on(String, ActionHandler)} alone
 * cannot be simulated: a dry run of it answers status 1, "cannot simulate ...".
 */
public final class Actions {
    private final AgentCatalog catalog;
    private final Map<String, ActionHandler> handlers = new LinkedHashMap<>();
    private final Map<String, ActionHandler> dryRuns = new HashMap<>();
    private final Map<String, Map<String, UnaryOperator<String>>> checks = new HashMap<>();

    private Actions(AgentCatalog catalog) {
        this.catalog = catalog;
    }

    /** Starts binding handlers to the actions of {@code catalog}. */
    public static Actions of(AgentCatalog catalog) {
        return new Actions(catalog);
    }

    public AgentCatalog catalog() {
        return catalog;
    }

    /** Runs {@code action} with {@code handler}; a dry run of it answers "cannot simulate". */
    public Actions on(String action, ActionHandler handler) {
        requireDeclared(action);
        if (handlers.putIfAbsent(action, java.util.Objects.requireNonNull(handler, "handler")) != null) {
            throw new ConfigException("Plugin " + catalog.name() + " binds two handlers to its action '" + action + "'");
        }
        return this;
    }

    /**
     * Runs {@code action} with {@code handler}, and answers a dry run of it with {@code dryRun}: a handler that changes
     * nothing, asks the host only read-only questions, and returns what {@code handler} would, with {@code changed}
     * saying whether it would change anything ({@link ActionResult#changed}); the node marks its reply as a dry run.
     * It throws {@link ActionFailedException} when the action would fail, or when it cannot tell ("cannot simulate ...").
     */
    public Actions on(String action, ActionHandler handler, ActionHandler dryRun) {
        on(action, handler);
        dryRuns.put(action, java.util.Objects.requireNonNull(dryRun, "dryRun"));
        return this;
    }

    /** Runs {@code action}, which changes nothing on the host, with {@code handler}; in a dry run too. */
    public Actions readOnly(String action, ActionHandler handler) {
        return on(action, handler, handler);
    }

    /**
     * Also checks the string input {@code input} of {@code action} on the node, after the catalog's checks: for
     * what only the node knows, such as which Nagios checks are defined on it. {@code check} throws
     * {@link IllegalArgumentException} saying what is wrong, and returns the value to use.
     */
    public Actions checking(String action, String input, UnaryOperator<String> check) {
        requireDeclared(action);
        var declared = catalog.action(action).input(input);
        if (declared == null || declared.type() != InputType.STRING) {
            throw new ConfigException("Plugin " + catalog.name() + " checks '" + input + "' of " + action
                    + ", which its catalog does not declare as a string input");
        }
        checks.computeIfAbsent(action, name -> new HashMap<>()).put(input, check);
        return this;
    }

    /**
     * The bound actions, in catalog order.
     *
     * @throws ConfigException if an action of the catalog has no handler
     */
    public List<Action> bind() {
        List<String> unbound = catalog.actionNames().stream().filter(name -> !handlers.containsKey(name)).toList();
        if (!unbound.isEmpty()) {
            throw new ConfigException("Plugin " + catalog.name() + " has no handler for " + String.join(", ", unbound)
                    + ", declared in its catalog; bind one to each action with Actions.on, or remove the action from the catalog");
        }
        List<Action> bound = new ArrayList<>();
        for (ActionSpec spec : catalog.actions()) {
            bound.add(new Action(spec, handlers.get(spec.name()), dryRuns.get(spec.name()), checks.getOrDefault(spec.name(), Map.of())));
        }
        return List.copyOf(bound);
    }

    private void requireDeclared(String action) {
        if (catalog.action(action) == null) {
            throw new ConfigException("Plugin " + catalog.name() + " binds a handler to '" + action
                    + "', which its catalog does not declare (declared: " + String.join(", ", catalog.actionNames())
                    + "); add the action to the catalog or fix the name");
        }
    }
}
