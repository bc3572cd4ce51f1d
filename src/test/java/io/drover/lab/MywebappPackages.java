package io.drover.lab;

import io.drover.testing.DebPackage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The two versions of {@code mywebapp} the seed deploy goes between, as Debian packages: {@link MyWebApp} in a
 * jar, run by the package's own systemd unit on {@link #PORT} with the host's java, enabled and (re)started by
 * its postinst and stopped by its prerm, as Debian packages of services do. The versions carry the ".el5"
 * release the seed feature checks for ({@code Then the package version for mywebapp should be 4.2.6-3.el5});
 * "3.el5" is a valid Debian revision that sorts after "2.el5".
 */
final class MywebappPackages {
    static final String OLD = "4.2.6-2.el5";
    static final String NEW = "4.2.6-3.el5";
    static final int PORT = 8080;
    /** Where nodes find their repository: {@code deb [trusted=yes] file:/srv/drover-lab/repo ./}. */
    static final String REPOSITORY = "srv/drover-lab/repo";

    private final Map<String, Path> debs;

    private MywebappPackages(Map<String, Path> debs) {
        this.debs = debs;
    }

    static MywebappPackages build(Path work) throws IOException, InterruptedException {
        byte[] jar = jar();
        Path built = work.resolve("debs");
        Map<String, Path> debs = new LinkedHashMap<>();
        for (String version : List.of(OLD, NEW)) {
            debs.put(version, DebPackage.of("mywebapp", version)
                    .file("usr/share/mywebapp/mywebapp.jar", jar)
                    .file("usr/share/mywebapp/VERSION", version + "\n")
                    .file("lib/systemd/system/mywebapp.service", """
                            [Unit]
                            Description=mywebapp %s (Drover lab)

                            [Service]
                            ExecStart=/usr/bin/java -Xmx24m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -jar /usr/share/mywebapp/mywebapp.jar %d /usr/share/mywebapp/VERSION

                            [Install]
                            WantedBy=multi-user.target
                            """.formatted(version, PORT))
                    .script("postinst", """
                            #!/bin/sh
                            set -e
                            if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
                                systemctl daemon-reload
                                systemctl enable mywebapp.service
                                systemctl restart mywebapp.service
                            fi
                            """)
                    .script("prerm", """
                            #!/bin/sh
                            set -e
                            if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
                                systemctl stop mywebapp.service
                            fi
                            """)
                    .buildInto(built, work.resolve("build")));
        }
        return new MywebappPackages(debs);
    }

    /** Replaces the flat repository under {@code root} with one offering exactly {@code versions}. */
    void publish(Path root, List<String> versions) throws IOException, InterruptedException {
        Path repo = root.resolve(REPOSITORY);
        if (Files.isDirectory(repo)) {
            try (Stream<Path> files = Files.list(repo)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(repo);
        for (String version : versions) {
            Path deb = debs.get(version);
            Files.copy(deb, repo.resolve(deb.getFileName()));
        }
        DebPackage.index(repo);
    }

    /** A runnable jar of {@link MyWebApp}, from the test classes. */
    private static byte[] jar() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MyWebApp.class.getName());
        String entry = MyWebApp.class.getName().replace('.', '/') + ".class";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest);
             InputStream in = MyWebApp.class.getClassLoader().getResourceAsStream(entry)) {
            if (in == null) {
                throw new IOException(entry + " is not on the test class path");
            }
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
        }
        return bytes.toByteArray();
    }
}
