package io.drover.security;

import java.util.regex.Pattern;

/** Key names double as file names and as the {@code caller} of requests, so they are plain words. */
final class KeyNames {
    static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    private KeyNames() {
    }

    static String requireKeyName(String name) {
        if (name == null || !KEY_NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("Key name '" + io.drover.protocol.Names.printable(name)
                    + "' is not valid; use letters, digits, '.', '_', '@' and '-' (it names files and callers)");
        }
        return name;
    }

    static boolean isKeyName(String name) {
        return name != null && KEY_NAME.matcher(name).matches() && !name.contains("..");
    }
}
