package io.drover.agents.pkg;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code apt-get -s} says it would do to one package: {@code Inst mywebapp [4.2.6-2] (4.2.6-3 repo [all])}
 * installs or upgrades it, {@code Remv mywebapp [4.2.6-3]} removes it; no line for it means nothing would happen to it.
 */
final class AptSimulation {
    /** Name (with an optional :arch), the old version in brackets when upgrading, then the new version, release and arch. */
    private static final Pattern INST = Pattern.compile("^Inst ([^\\s:]+)(?::\\S+)? (?:\\[[^\\]]*\\] )?\\((\\S+)(.*)\\)$");
    private static final Pattern ARCH = Pattern.compile("\\[([^\\]]+)\\]$");
    private static final Pattern REMV = Pattern.compile("^Remv ([^\\s:]+)(?::\\S+)?(?: .*)?$");

    private AptSimulation() {
    }

    /** The status {@code pkg} would have after the simulated run, given its status {@code before}. */
    static PackageStatus after(String pkg, PackageStatus before, String output) {
        PackageStatus after = before;
        for (String line : output.split("\n")) {
            Matcher inst = INST.matcher(line.strip());
            if (inst.matches() && inst.group(1).equals(pkg)) {
                Matcher arch = ARCH.matcher(inst.group(3).strip());
                after = new PackageStatus(pkg, true, inst.group(2), arch.find() ? arch.group(1) : before.arch());
                continue;
            }
            Matcher remv = REMV.matcher(line.strip());
            if (remv.matches() && remv.group(1).equals(pkg)) {
                after = PackageStatus.absent(pkg);
            }
        }
        return after;
    }
}
