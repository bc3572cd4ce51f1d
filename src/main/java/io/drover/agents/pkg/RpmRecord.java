package io.drover.agents.pkg;

import io.drover.agent.command.CommandResult;
import io.drover.agent.plugin.ActionFailedException;

import java.util.Map;

/**
 * One installed package as {@code rpm -q --qf '%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n'} reports it,
 * and how Drover versions ({@code [epoch:]version[-release]}, e.g. {@code 4.2.6-3.el5}) match it.
 *
 * @param version {@code version-release}, with {@code epoch:} in front when the epoch is not zero
 * @param arch    the architecture ({@code x86_64}, {@code noarch})
 */
record RpmRecord(String version, String arch) {
    /** The query format; rpm itself expands the {@code \t} and {@code \n}. */
    static final String FORMAT = "%{NAME}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n";

    PackageStatus toStatus(String pkg) {
        return new PackageStatus(pkg, true, version, arch);
    }

    /**
     * The installed package named exactly {@code pkg}, or null. rpm also reads {@code bash-5.1} as "bash, version
     * 5.1", so lines of other names are ignored; of several installed versions (kernels) the newest counts.
     */
    static RpmRecord parse(String pkg, CommandResult result) throws ActionFailedException {
        if (!result.succeeded()) {
            if (result.exitCode() == 1 && result.stdout().contains("package " + pkg + " is not installed")) {
                return null;
            }
            throw new ActionFailedException("cannot read the status of " + pkg + ": " + result.describe(),
                    Map.of("exitcode", result.exitCode()));
        }
        RpmRecord found = null;
        for (String line : result.stdout().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length != 4) {
                throw new ActionFailedException("cannot read the status of " + pkg + ": unexpected rpm output '" + line + "'");
            }
            if (!fields[0].equals(pkg)) {
                continue;
            }
            String epoch = fields[1];
            boolean noEpoch = epoch.equals("(none)") || epoch.equals("0") || epoch.isEmpty();
            RpmRecord record = new RpmRecord(noEpoch ? fields[2] : epoch + ":" + fields[2], fields[3]);
            if (found == null || DebianVersion.ORDER.compare(record.version, found.version) > 0) {
                found = record;
            }
        }
        return found;
    }

    /**
     * Whether the installed {@code [epoch:]version-release} is the {@code requested} one, which names what dnf
     * needs to find it: a missing epoch or release matches any, as in {@code dnf install mywebapp-4.2.6}.
     */
    static boolean matches(String requested, String installed) {
        if (installed == null) {
            return false;
        }
        String[] want = split(requested);
        String[] have = split(installed);
        return (want[0] == null || want[0].equals(have[0] == null ? "0" : have[0]))
                && want[1].equals(have[1])
                && (want[2] == null || want[2].equals(have[2]));
    }

    /** {epoch or null, version, release or null}. */
    private static String[] split(String evr) {
        String epoch = null;
        String rest = evr;
        int colon = evr.indexOf(':');
        if (colon > 0) {
            epoch = evr.substring(0, colon);
            rest = evr.substring(colon + 1);
        }
        int dash = rest.lastIndexOf('-');
        return dash < 0 ? new String[]{epoch, rest, null} : new String[]{epoch, rest.substring(0, dash), rest.substring(dash + 1)};
    }
}
