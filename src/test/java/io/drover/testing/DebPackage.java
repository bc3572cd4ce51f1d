package io.drover.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Debian binary package for tests, built with {@code dpkg-deb}: files, configuration files and maintainer
 * scripts; and the index of a flat repository of such packages, for a {@code deb [trusted=yes] file:DIR ./}
 * source.
 */
public final class DebPackage {
    private final String name;
    private final String version;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<String> conffiles = new ArrayList<>();
    private final Map<String, String> scripts = new LinkedHashMap<>();

    private DebPackage(String name, String version) {
        this.name = name;
        this.version = version;
    }

    public static DebPackage of(String name, String version) {
        return new DebPackage(name, version);
    }

    /** A file, {@code path} relative to the root, e.g. {@code opt/mywebapp/VERSION}. */
    public DebPackage file(String path, byte[] content) {
        files.put(path, content.clone());
        return this;
    }

    public DebPackage file(String path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A configuration file: dpkg keeps local changes to it. */
    public DebPackage conffile(String path, String content) {
        conffiles.add("/" + path);
        return file(path, content);
    }

    /** A maintainer script ({@code postinst}, {@code prerm}, ...). */
    public DebPackage script(String script, String content) {
        scripts.put(script, content);
        return this;
    }

    /** Builds {@code NAME_VERSION_all.deb} into {@code repo}, using {@code work} for the package tree. */
    public Path buildInto(Path repo, Path work) throws IOException, InterruptedException {
        Path tree = work.resolve(name + "_" + version);
        Path control = Files.createDirectories(tree.resolve("DEBIAN"));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path target = tree.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
        Files.writeString(control.resolve("control"), """
                Package: %s
                Version: %s
                Architecture: all
                Maintainer: Drover tests <tests@drover.invalid>
                Description: Drover test package
                """.formatted(name, version));
        if (!conffiles.isEmpty()) {
            Files.writeString(control.resolve("conffiles"), String.join("\n", conffiles) + "\n");
        }
        for (Map.Entry<String, String> script : scripts.entrySet()) {
            Path file = Files.writeString(control.resolve(script.getKey()), script.getValue());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectories(repo);
        run(List.of("dpkg-deb", "--root-owner-group", "--build", tree.toString(), repo.toString()), null);
        return repo.resolve(name + "_" + version + "_all.deb");
    }

    /**
     * Writes {@code repo/Packages}, with paths relative to the repository and {@code --multiversion} (every
     * version in it, so an exact older one can be installed), and returns it.
     */
    public static String index(Path repo) throws IOException, InterruptedException {
        String packages = run(List.of("dpkg-scanpackages", "--multiversion", "."), repo);
        Files.writeString(repo.resolve("Packages"), packages);
        return packages;
    }

    private static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        // stderr to a file, so a chatty tool never blocks on a full pipe while stdout is read
        Path errors = Files.createTempFile("drover-deb-", ".stderr");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(errors.toFile());
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("`" + String.join(" ", command) + "` failed: " + Files.readString(errors).strip());
            }
            return out;
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
