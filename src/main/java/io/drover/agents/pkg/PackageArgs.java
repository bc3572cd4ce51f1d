package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.catalog.InputSpec;
import io.drover.catalog.PackageCatalog;

import java.util.regex.Pattern;

/**
 * The providers' own check of names and versions before they reach a command line. The action's input
 * validation already refused anything else; this keeps a provider safe when called some other way.
 */
final class PackageArgs {
    // The catalog's declarations, so the providers and the validation can never disagree.
    private static final InputSpec NAME_INPUT = PackageCatalog.CATALOG.action(PackageCatalog.INSTALL).input(PackageCatalog.PACKAGE);
    private static final InputSpec VERSION_INPUT = PackageCatalog.CATALOG.action(PackageCatalog.INSTALL).input(PackageCatalog.VERSION);
    private static final Pattern NAME = NAME_INPUT.pattern();
    private static final Pattern VERSION = VERSION_INPUT.pattern();

    private PackageArgs() {
    }

    /** {@code pkg}, if it is a plain package name (never option-like: it starts with a letter or digit). */
    static String name(String pkg) throws ActionFailedException {
        if (pkg == null || pkg.length() > NAME_INPUT.maxLength() || !NAME.matcher(pkg).matches()) {
            throw new ActionFailedException("refusing package name " + quoted(pkg)
                    + ": a package name starts with a letter or digit and has only letters, digits and . _ + -");
        }
        return pkg;
    }

    /** {@code version}, if it is null or a plain version ({@code [epoch:]version[-release]}). */
    static String version(String version) throws ActionFailedException {
        if (version != null && (version.length() > VERSION_INPUT.maxLength() || !VERSION.matcher(version).matches())) {
            throw new ActionFailedException("refusing version " + quoted(version)
                    + ": a version starts with a letter or digit and has only letters, digits and . + ~ : _ -");
        }
        return version;
    }

    private static String quoted(String value) {
        return value == null ? "null" : "'" + value.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
