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
        if (version == null ? before.installed() : version.equals(before.version())) {
            return new PackageChange(before, before);
        }
        List<String> versions = repository.get(pkg);
        if (versions == null || versions.isEmpty()) {
            throw new ActionFailedException("E: Unable to locate package " + pkg);
        }
        String target = version == null ? candidate(versions) : version;
        if (!versions.contains(target)) {
            throw new ActionFailedException("E: Version '" + target + "' for '" + pkg + "' was not found (available: "
                    + String.join(", ", versions) + ")");
        }
        return change(pkg, before, target);
    }

    @Override
    public synchronized PackageChange update(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        if (!before.installed()) {
            throw new ActionFailedException(pkg + " is not installed, so not upgraded; install it first");
        }
        String candidate = candidate(repository.getOrDefault(pkg, List.of(before.version())));
        if (DebianVersion.ORDER.compare(candidate, before.version()) <= 0) {
            return new PackageChange(before, before);
        }
        return change(pkg, before, candidate);
    }

    @Override
    public synchronized PackageChange uninstall(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        if (!before.installed()) {
            return new PackageChange(before, before);
        }
        failIfBroken(pkg);
        installed.remove(pkg);
        return new PackageChange(before, status(pkg));
    }

    @Override
    public synchronized PackageChange planInstall(String pkg, String version) throws ActionFailedException {
        PackageStatus before = status(pkg);
        if (version == null ? before.installed() : version.equals(before.version())) {
            return new PackageChange(before, before);
        }
        List<String> versions = repository.get(pkg);
        if (versions == null || versions.isEmpty()) {
            throw new ActionFailedException("would fail: E: Unable to locate package " + pkg);
        }
        String target = version == null ? candidate(versions) : version;
        if (!versions.contains(target)) {
            throw new ActionFailedException("would fail: E: Version '" + target + "' for '" + pkg + "' was not found (available: "
                    + String.join(", ", versions) + ")");
        }
        return plan(pkg, before, target);
    }

    @Override
    public synchronized PackageChange planUpdate(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        if (!before.installed()) {
            throw new ActionFailedException("would fail: " + pkg + " is not installed, so not upgraded; install it first");
        }
        String candidate = candidate(repository.getOrDefault(pkg, List.of(before.version())));
        if (DebianVersion.ORDER.compare(candidate, before.version()) <= 0) {
            return new PackageChange(before, before);
        }
        return plan(pkg, before, candidate);
    }

    @Override
    public synchronized PackageChange planUninstall(String pkg) throws ActionFailedException {
        PackageStatus before = status(pkg);
        if (!before.installed()) {
            return new PackageChange(before, before);
        }
        wouldFailIfBroken(pkg);
        return new PackageChange(before, PackageStatus.absent(pkg));
    }

    /** The change to {@code version}, predicted; a package made to fail would fail, and the sandbox knows it. */
    private PackageChange plan(String pkg, PackageStatus before, String version) throws ActionFailedException {
        wouldFailIfBroken(pkg);
        return new PackageChange(before, new PackageStatus(pkg, true, version, arch));
    }

    private void wouldFailIfBroken(String pkg) throws ActionFailedException {
        String message = failing.get(pkg);
        if (message != null) {
            throw new ActionFailedException("would fail: " + message);
        }
    }

    private PackageChange change(String pkg, PackageStatus before, String version) throws ActionFailedException {
        failIfBroken(pkg);
        installed.put(pkg, version);
        return new PackageChange(before, status(pkg));
    }

    private void failIfBroken(String pkg) throws ActionFailedException {
        String message = failing.get(pkg);
        if (message != null) {
            throw new ActionFailedException(message);
        }
    }

    private static String candidate(List<String> versions) {
        return versions.stream().max(DebianVersion.ORDER).orElseThrow();
    }
}
