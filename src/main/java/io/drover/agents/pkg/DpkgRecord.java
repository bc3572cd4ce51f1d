package io.drover.agents.pkg;

import io.drover.agent.command.CommandResult;
import io.drover.agent.plugin.ActionFailedException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One package as {@code dpkg-query -W -f '${Status}\t${Version}\t${Architecture}\n'} reports it.
 *
 * @param state   the third word of {@code ${Status}}: {@code installed}, {@code config-files}, {@code half-configured}, ...
 * @param ok      false when dpkg flags the package {@code reinstreq} (a failed run left it broken)
 * @param version the version, possibly with an epoch ({@code 1:2.0-1})
 * @param arch    the architecture ({@code amd64}, {@code all})
 */
record DpkgRecord(String state, boolean ok, String version, String arch) {
    /** The format passed to {@code dpkg-query -f}; dpkg-query itself expands the {@code \t} and {@code \n}. */
    static final String FORMAT = "${Status}\\t${Version}\\t${Architecture}\\n";
    /** States in which the package is installed and usable (pending triggers change nothing for its users). */
    private static final Set<String> INSTALLED = Set.of("installed", "triggers-pending", "triggers-awaited");
    /** States in which nothing of the package is left but, at most, its configuration files. */
    private static final Set<String> GONE = Set.of("not-installed", "config-files");

    /** Fully installed. */
    boolean installed() {
        return ok && INSTALLED.contains(state);
    }

    /** Some files of it are on the system: installed, or half installed by a run that failed. */
    boolean present() {
        return !GONE.contains(state);
    }

    /**
     * As a {@link PackageStatus}: installed; not installed (removed, or only its configuration files left);
     * or, when a failed run left it half there, not installed but with the version found, so installing or
     * removing it is a change.
     */
    PackageStatus toStatus(String pkg) {
        if (installed()) {
            return new PackageStatus(pkg, true, version, arch);
        }
        return present() ? new PackageStatus(pkg, false, version, arch) : PackageStatus.absent(pkg);
    }

    static DpkgRecord absent() {
        return new DpkgRecord("not-installed", true, null, null);
    }

    /**
     * What dpkg-query said about {@code pkg}: exit 1 with "no packages found matching" is a package dpkg never
     * knew; when several architectures are there (multi-arch), the installed one wins.
     */
    static DpkgRecord parse(String pkg, CommandResult result) throws ActionFailedException {
        if (!result.succeeded()) {
            if (result.exitCode() == 1 && result.stderr().contains("no packages found matching")) {
                return absent();
            }
            throw new ActionFailedException("cannot read the status of " + pkg + ": " + result.describe(),
                    Map.of("exitcode", result.exitCode()));
        }
        DpkgRecord found = null;
        for (String line : result.stdout().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            DpkgRecord record = parseLine(pkg, line);
            if (found == null || (record.installed() && !found.installed()) || (record.present() && !found.present())) {
                found = record;
            }
        }
        return found != null ? found : absent();
    }

    private static DpkgRecord parseLine(String pkg, String line) throws ActionFailedException {
        String[] fields = line.split("\t", -1);
        List<String> status = List.of(fields[0].trim().split(" +"));
        if (fields.length != 3 || status.size() != 3) {
            throw new ActionFailedException("cannot read the status of " + pkg + ": unexpected dpkg-query output '" + line + "'");
        }
        String version = fields[1].isEmpty() ? null : fields[1];
        String arch = fields[2].isEmpty() ? null : fields[2];
        return new DpkgRecord(status.get(2), status.get(1).equals("ok"), version, arch);
    }
}
