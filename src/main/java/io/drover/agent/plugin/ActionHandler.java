package io.drover.agent.plugin;

import io.drover.catalog.Inputs;

/** Runs one action with inputs already validated against its declaration. */
@FunctionalInterface
public interface ActionHandler {
    ActionResult run(Inputs inputs) throws ActionFailedException;
}
