package io.drover.catalog;

import java.util.Locale;

/** The JSON type of an action output, for the catalog text and for scripts reading replies. */
public enum OutputType {
    STRING, INTEGER, BOOLEAN, LIST, MAP, ANY;

    /** The type's name in the catalog text, e.g. {@code boolean}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
