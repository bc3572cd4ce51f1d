package io.drover.agents.pkg;

import io.drover.agent.plugin.ActionFailedException;
import io.drover.agent.plugin.Settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox provider: an in-memory package database and repository, for the emulated fleet. Settings:
 * {@code arch}, {@code installed} (name: version), {@code available} (name: [versions], the repository) and
 * {@code failing} (name: message, makes every change to that package fail like a broken dpkg run).
 */
public final class SandboxPackages implements PackageProvider {
    private static final String WOULD_FAIL = "would fail: ";
    private final String arch;
    private final Map<String, String> installed = new ConcurrentHashMap<>();
    private final Map<String, List<String>> repository = new ConcurrentHashMap<>();
    private final Map<String, String> failing = new ConcurrentHashMap<>();

    public SandboxPackages(Settings settings) {
        this.arch = settings.string("arch", "x86_64");
        settings.map("installed").forEach((name, version) -> installed.put(name, String.valueOf(version)));
        Settings available = settings.section("available");
        for (String name : new TreeMap<>(settings.map("available")).keySet()) {
            List<String> versions = new ArrayList<>(available.strings(name));
            versions.sort(DebianVersion.ORDER);
            repository.put(name, versions);
        }
        settings.map("failing").forEach((name, message) -> failing.put(name, String.valueOf(message)));
        // An installed version is in the repository it came from.
        installed.forEach((name, version) -> {
            List<String> versions = repository.computeIfAbsent(name, n -> new ArrayList<>());
            if (!versions.contains(version)) {
                versions.add(version);
                versions.sort(DebianVersion.ORDER);
            }
        });
    }

    @Override
    public String name() {
        return "sandbox";
    }

    /** Makes every change to {@code pkg} fail with {@code message} until {@link #repair(String)}. */
    public void breakPackage(String pkg, String message) {
        failing.put(pkg, message);
    }

    public void repair(String pkg) {
        failing.remove(pkg);
    }

    @Override
    public PackageStatus status(String pkg) {
        String version = installed.get(pkg);
        return version == null ? PackageStatus.absent(pkg) : new PackageStatus(pkg, true, version, arch);
    }

    @Override
    public synchronized PackageChange install(String pkg, String version) throws ActionFailedException {
        PackageStatus before = status(pkg);
        String target = installTarget(pkg, version, before, "");
        return target == null ? new PackageChange(before, before) : change(pkg, before, target);
    }

    @Override
    public synchronized PackageChange update(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        String target = updateTarget(pkg, before, "");
        return target == null ? new PackageChange(before, before) : change(pkg, before, target);
    }

    @Override
    public synchronized PackageChange uninstall(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        if (!before.installed()) {
            return new PackageChange(before, before);
        }
        failIfBroken(pkg, "");
        installed.remove(pkg);
        return new PackageChange(before, status(pkg));
    }

    // The plans take the same decisions as the actions above, through the same methods, so a prediction cannot drift
    // from what the action then does; only their messages say "would fail".

    @Override
    public synchronized PackageChange planInstall(String pkg, String version) throws ActionFailedException {
        PackageStatus before = status(pkg);
        String target = installTarget(pkg, version, before, WOULD_FAIL);
        return target == null ? new PackageChange(before, before) : plan(pkg, before, target);
    }

    @Override
    public synchronized PackageChange planUpdate(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        String target = updateTarget(pkg, before, WOULD_FAIL);
        return target == null ? new PackageChange(before, before) : plan(pkg, before, target);
    }

    @Override
    public synchronized PackageChange planUninstall(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        if (!before.installed()) {
            return new PackageChange(before, before);
        }
        failIfBroken(pkg, WOULD_FAIL);
        return new PackageChange(before, PackageStatus.absent(pkg));
    }

    /** The version an install puts in place, or null when there is nothing to do; refuses as apt would. */
    private String installTarget(String pkg, String version, PackageStatus before, String prefix) throws ActionFailedException {
        if (version == null ? before.installed() : version.equals(before.version())) {
            return null;
        }
        List<String> versions = repository.get(pkg);
        if (versions == null || versions.isEmpty()) {
            throw new ActionFailedException(prefix + "E: Unable to locate package " + pkg);
        }
        String target = version == null ? candidate(versions) : version;
        if (!versions.contains(target)) {
            throw new ActionFailedException(prefix + "E: Version '" + target + "' for '" + pkg + "' was not found (available: "
                    + String.join(", ", versions) + ")");
        }
        return target;
    }

    /** The version an upgrade puts in place, or null when the installed one is the newest. */
    private String updateTarget(String pkg, PackageStatus before, String prefix) throws ActionFailedException {
        if (!before.installed()) {
            throw new ActionFailedException(prefix + pkg + " is not installed, so not upgraded; install it first");
        }
        String candidate = candidate(repository.getOrDefault(pkg, List.of(before.version())));
        return DebianVersion.ORDER.compare(candidate, before.version()) <= 0 ? null : candidate;
    }

    /** The change to {@code version}, predicted; a package made to fail would fail, and the sandbox knows it. */
    private PackageChange plan(String pkg, PackageStatus before, String version) throws ActionFailedException {
        failIfBroken(pkg, WOULD_FAIL);
        return new PackageChange(before, new PackageStatus(pkg, true, version, arch));
    }

    private PackageChange change(String pkg, PackageStatus before, String version) throws ActionFailedException {
        failIfBroken(pkg, "");
        installed.put(pkg, version);
        return new PackageChange(before, status(pkg));
    }

    private void failIfBroken(String pkg, String prefix) throws ActionFailedException {
        String message = failing.get(pkg);
        if (message != null) {
            throw new ActionFailedException(prefix + message);
        }
    }

    private static String candidate(List<String> versions) {
        return versions.stream().max(DebianVersion.ORDER).orElseThrow();
    }
}
