package io.drover.agent.plugin;

/** JSON types an action input may have. */
public enum InputType {
    STRING("a string"), INTEGER("an integer"), BOOLEAN("true or false");

    private final String description;

    InputType(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
