package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Provider;

/**
 * Installs, updates and removes packages. Every change method returns the status before and after, so the
 * agent reports {@code changed=false} when nothing needed doing. Failures say what the package tool said.
 */
interface PackageProvider extends Provider {
    PackageStatus status(String pkg) throws ActionFailedException;

    /** Installs {@code version}, or the candidate version when {@code null}; an installed package is left alone. */
    PackageChange install(String pkg, String version) throws ActionFailedException;

    /** Upgrades an installed package to the candidate version of its repositories. */
    PackageChange update(String pkg) throws ActionFailedException;

    PackageChange uninstall(String pkg) throws ActionFailedException;

    /**
     * For dry runs: what {@link #install} would do, found with the package tools' read-only queries and simulations;
     * changes nothing (not even the package lists). Throws when the install would fail, or when it cannot tell.
     */
    default PackageChange planInstall(String pkg, String version) throws ActionFailedException {
        throw cannotSimulate("install");
    }

    /** For dry runs: what {@link #update} would do; changes nothing. */
    default PackageChange planUpdate(String pkg) throws ActionFailedException {
        throw cannotSimulate("update");
    }

    /** For dry runs: what {@link #uninstall} would do; changes nothing. */
    default PackageChange planUninstall(String pkg) throws ActionFailedException {
        throw cannotSimulate("uninstall");
    }

    private ActionFailedException cannotSimulate(String action) {
        return new ActionFailedException("cannot simulate " + action + " with the " + name() + " package provider");
    }

    /** Status before and after a change. */
    record PackageChange(PackageStatus before, PackageStatus after) {
        public boolean changed() {
            return before.installed() != after.installed() || !java.util.Objects.equals(before.version(), after.version());
        }
    }
}
