package io.drover.agent.plugin;

import io.drover.catalog.ActionSpec;
import io.drover.catalog.InputValidator;
import io.drover.catalog.Inputs;
import io.drover.catalog.InvalidInputException;

import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An action of an agent plugin: its catalog declaration bound to the handler that runs it, the handler that answers
 * it in a dry run (if any), and any checks of its inputs only the node can make. Made by {@link Actions}, which keeps
 * plugins and catalogs in step.
 */
public final class Action {
    private final ActionSpec spec;
    private final ActionHandler handler;
    private final ActionHandler dryRun;
    private final Map<String, UnaryOperator<String>> checks;

    Action(ActionSpec spec, ActionHandler handler, ActionHandler dryRun, Map<String, UnaryOperator<String>> checks) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.dryRun = dryRun;
        this.checks = Map.copyOf(checks);
    }

    public String name() {
        return spec.name();
    }

    /** The action's declaration in its agent's catalog. */
    public ActionSpec spec() {
        return spec;
    }

    public ActionHandler handler() {
        return handler;
    }

    /**
     * What answers this action in a dry run: a handler that changes nothing and returns what {@link #handler()} would
     * (its {@code changed} meaning "would change"), or the handler itself for an action that only reads; {@code null}
     * when the plugin cannot simulate the action, which a dry run then answers "cannot simulate" (never a fake OK).
     */
    public ActionHandler dryRunHandler() {
        return dryRun;
    }

    /**
     * {@code params} checked against the catalog, then by the node-side checks.
     *
     * @throws InvalidInputException saying what is wrong; nothing may run
     */
    public Inputs validate(String agent, Map<String, Object> params) {
        return InputValidator.validate(agent, spec, params, checks);
    }

    /** Node-side checks of string inputs, by input name, run after the catalog's. */
    public Map<String, UnaryOperator<String>> checks() {
        return checks;
    }
}
