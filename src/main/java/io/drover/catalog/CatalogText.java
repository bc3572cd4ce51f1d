package io.drover.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * An agent's catalog as text for people: each action with its description, its inputs (type, required or
 * default, pattern, maximum length, description) and its outputs (type, description).
 */
public final class CatalogText {
    private CatalogText() {
    }

    public static String render(AgentCatalog catalog) {
        StringBuilder text = new StringBuilder();
        text.append(catalog.name());
        if (!catalog.description().isEmpty()) {
            text.append(": ").append(catalog.description());
        }
        text.append('\n');
        for (ActionSpec action : catalog.actions()) {
            text.append('\n').append("  ").append(catalog.name()).append(' ').append(action.name());
            for (InputSpec input : action.inputs()) {
                text.append(' ').append(input.isRequired() ? input.name() + "=..." : "[" + input.name() + "=...]");
            }
            text.append('\n');
            if (!action.description().isEmpty()) {
                text.append("    ").append(action.description()).append('\n');
            }
            if (!action.inputs().isEmpty()) {
                text.append("    inputs:\n");
                for (InputSpec input : action.inputs()) {
                    text.append("      ").append(input.name()).append(" (").append(String.join(", ", facts(input))).append(')');
                    if (!input.description().isEmpty()) {
                        text.append(": ").append(input.description());
                    }
                    text.append('\n');
                }
            }
            if (!action.outputs().isEmpty()) {
                text.append("    outputs:\n");
                for (OutputSpec output : action.outputs()) {
                    text.append("      ").append(output.name()).append(" (").append(output.type().label()).append(')');
                    if (!output.description().isEmpty()) {
                        text.append(": ").append(output.description());
                    }
                    text.append('\n');
                }
            }
        }
        return text.toString();
    }

    /** One line per agent: its name, description and actions, for a list of agents. */
    public static String summary(Iterable<AgentCatalog> catalogs) {
        StringBuilder text = new StringBuilder();
        for (AgentCatalog catalog : catalogs) {
            text.append(catalog.name()).append(": ").append(catalog.description()).append(" (")
                    .append(String.join(", ", catalog.actionNames())).append(")\n");
        }
        return text.toString();
    }

    private static List<String> facts(InputSpec input) {
        List<String> facts = new ArrayList<>();
        facts.add(input.type().label());
        if (input.isRequired()) {
            facts.add("required");
        } else if (input.defaultValue() != null) {
            facts.add("default " + input.defaultValue());
        } else {
            facts.add("optional");
        }
        if (input.pattern() != null) {
            facts.add("pattern " + input.pattern().pattern());
        }
        if (input.type().isText()) {
            facts.add("at most " + input.maxLength() + " characters");
        }
        if (input.example() != null) {
            facts.add("e.g. " + input.example());
        }
        return facts;
    }
}
