package io.drover.catalog;

import io.drover.protocol.Status;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one agent offers: its actions with their inputs and outputs. The node validates requests against it and
 * the runner validates calls against the same declaration before sending them, so both refuse bad input with
 * the same message.
 *
 * @param name        agent name, e.g. {@code firewall}
 * @param description one line
 * @param actions     the actions, in the order they are documented
 */
public record AgentCatalog(String name, String description, List<ActionSpec> actions) {
    public AgentCatalog {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        actions = List.copyOf(actions);
        Set<String> seen = new HashSet<>();
        for (ActionSpec action : actions) {
            if (!seen.add(action.name())) {
                throw new IllegalArgumentException("Agent " + name + " declares the action '" + action.name() + "' twice");
            }
        }
    }

    public static AgentCatalog of(String name, String description, ActionSpec... actions) {
        return new AgentCatalog(name, description, List.of(actions));
    }

    /** The action {@code actionName}, or {@code null}. */
    public ActionSpec action(String actionName) {
        return actions.stream().filter(action -> action.name().equals(actionName)).findFirst().orElse(null);
    }

    /** The action names, in catalog order. */
    public List<String> actionNames() {
        return actions.stream().map(ActionSpec::name).toList();
    }

    /**
     * The action {@code actionName}.
     *
     * @throws InvalidInputException with {@link Status#UNKNOWN_ACTION} and the node's wording when it has none
     */
    public ActionSpec requireAction(String actionName) {
        ActionSpec action = action(actionName);
        if (action == null) {
            throw new InvalidInputException(Status.UNKNOWN_ACTION, "agent " + name + " has no action "
                    + io.drover.protocol.Names.printable(actionName) + " (actions: "
                    + actions.stream().map(ActionSpec::name).collect(Collectors.joining(", ")) + ")");
        }
        return action;
    }
}
