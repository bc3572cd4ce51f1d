package io.drover.catalog;

/** The types an action input may have: the JSON types, and address literals checked and normalised. */
public enum InputType {
    STRING("string", "a string"),
    INTEGER("integer", "an integer"),
    BOOLEAN("boolean", "true or false"),
    /** An IPv4 or IPv6 address or network as a string; the value passed on is its canonical spelling. */
    IP_ADDRESS("ip_address", "a string");

    private final String label;
    private final String description;

    InputType(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** The type's name in the catalog text, e.g. {@code ip_address}. */
    public String label() {
        return label;
    }

    /** The JSON value it takes, for error messages: "a string", "true or false". */
    public String description() {
        return description;
    }

    boolean isText() {
        return this == STRING || this == IP_ADDRESS;
    }
}
