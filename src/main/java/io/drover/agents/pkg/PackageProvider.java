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

    /** Status before and after a change. */
    record PackageChange(PackageStatus before, PackageStatus after) {
        public boolean changed() {
            return before.installed() != after.installed() || !java.util.Objects.equals(before.version(), after.version());
        }
    }
}
