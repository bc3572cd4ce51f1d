package io.drover.catalog;

import static io.drover.catalog.OutputType.BOOLEAN;
import static io.drover.catalog.OutputType.STRING;

/** The {@code package} agent: install (optionally a version), update, uninstall, status. Idempotent. */
public final class PackageCatalog {
    public static final String AGENT = "package";

    public static final String INSTALL = "install";
    public static final String UPDATE = "update";
    public static final String UNINSTALL = "uninstall";
    public static final String STATUS = "status";

    public static final String PACKAGE = "package";
    public static final String VERSION = "version";

    public static final String CHANGED = "changed";
    public static final String INSTALLED = "installed";
    public static final String ARCH = "arch";
    public static final String PREVIOUS_VERSION = "previous_version";

    /** Debian and RPM package names; a leading letter or digit keeps option-like values out. */
    static final String NAME_SYNTAX = "[A-Za-z0-9][A-Za-z0-9._+-]*";
    /** Debian and RPM versions, with optional epoch: {@code 1:4.2.6-3.el5}, {@code 2.0~rc1-1}. */
    static final String VERSION_SYNTAX = "[A-Za-z0-9][A-Za-z0-9.+~:_-]*";
    static final int MAX_LENGTH = 128;

    private static final InputSpec PACKAGE_INPUT = InputSpec.string(PACKAGE).required().maxLength(MAX_LENGTH)
            .matching(NAME_SYNTAX, "mywebapp").describedAs("package name");
    private static final InputSpec VERSION_INPUT = InputSpec.string(VERSION).maxLength(MAX_LENGTH)
            .matching(VERSION_SYNTAX, "4.2.6-3.el5").describedAs("exact version to install");

    public static final AgentCatalog CATALOG = AgentCatalog.of(AGENT, "Install, update and remove packages",
            change(ActionSpec.named(INSTALL, "Install a package, optionally an exact version").input(PACKAGE_INPUT).input(VERSION_INPUT),
                    "false if that version was already installed"),
            change(ActionSpec.named(UPDATE, "Upgrade an installed package to the newest version its repositories offer")
                    .input(PACKAGE_INPUT), "false if it was already the newest"),
            change(ActionSpec.named(UNINSTALL, "Remove a package").input(PACKAGE_INPUT), "false if it was not installed"),
            status(ActionSpec.named(STATUS, "Installed version and architecture of a package").input(PACKAGE_INPUT)).build());

    /** The outputs of an action that changes a package: whether it changed, the status after, the version before. */
    private static ActionSpec change(ActionSpec.Builder action, String unchanged) {
        return status(action.output(CHANGED, BOOLEAN, unchanged)).output(PREVIOUS_VERSION, STRING, "version before").build();
    }

    /** The outputs describing a package's state. */
    private static ActionSpec.Builder status(ActionSpec.Builder action) {
        return action.output(PACKAGE, STRING, "package name").output(INSTALLED, BOOLEAN, "true if installed")
                .output(VERSION, STRING, "installed version").output(ARCH, STRING, "architecture");
    }

    private PackageCatalog() {
    }
}
