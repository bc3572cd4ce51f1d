package io.drover.agent.plugin;

/** Runs one action with inputs already validated against its declaration. */
@FunctionalInterface
public interface ActionHandler {
    ActionResult run(Inputs inputs) throws ActionFailedException;
}
