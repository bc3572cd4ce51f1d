package io.drover.agents.pkg;

import io.drover.catalog.PackageCatalog;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is installed of one package.
 *
 * @param name      package name
 * @param installed whether any version is installed
 * @param version   installed version, or {@code null}
 * @param arch      architecture of the installed package, or {@code null}
 */
public record PackageStatus(String name, boolean installed, String version, String arch) {
    public static PackageStatus absent(String name) {
        return new PackageStatus(name, false, null, null);
    }

    Map<String, Object> toData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(PackageCatalog.PACKAGE, name);
        data.put(PackageCatalog.INSTALLED, installed);
        data.put(PackageCatalog.VERSION, version);
        data.put(PackageCatalog.ARCH, arch);
        return data;
    }
}
