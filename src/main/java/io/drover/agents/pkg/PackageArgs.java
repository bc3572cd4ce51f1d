package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;

import java.util.regex.Pattern;

/**
 * The providers' own check of names and versions before they reach a command line. The action's input
 * validation already refused anything else; this keeps a provider safe when called some other way.
 */
final class PackageArgs {
    private static final Pattern NAME = Pattern.compile(PackageAgent.NAME_SYNTAX);
    private static final Pattern VERSION = Pattern.compile(PackageAgent.VERSION_SYNTAX);

    private PackageArgs() {
    }

    /** {@code pkg}, if it is a plain package name (never option-like: it starts with a letter or digit). */
    static String name(String pkg) throws ActionFailedException {
        if (pkg == null || pkg.length() > PackageAgent.MAX_LENGTH || !NAME.matcher(pkg).matches()) {
            throw new ActionFailedException("refusing package name " + quoted(pkg)
                    + ": a package name starts with a letter or digit and has only letters, digits and . _ + -");
        }
        return pkg;
    }

    /** {@code version}, if it is null or a plain version ({@code [epoch:]version[-release]}). */
    static String version(String version) throws ActionFailedException {
        if (version != null && (version.length() > PackageAgent.MAX_LENGTH || !VERSION.matcher(version).matches())) {
            throw new ActionFailedException("refusing version " + quoted(version)
                    + ": a version starts with a letter or digit and has only letters, digits and . + ~ : _ -");
        }
        return version;
    }

    private static String quoted(String value) {
        return value == null ? "null" : "'" + value.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
