package io.drover.agents.nrpe;

import io.drover.agent.plugin.ConfigException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the command definitions of an nrpe.cfg-style file: {@code command[NAME]=COMMAND LINE}, following
 * {@code include=FILE} and {@code include_dir=DIR} (its {@code .cfg} files, subdirectories too, in name
 * order) where they appear. Comments, blank lines and NRPE's other settings are skipped. A later definition
 * of a name replaces an earlier one, as in NRPE. Relative include paths are taken from the including file's
 * directory.
 */
final class NrpeConfig {
    private static final Pattern COMMAND = Pattern.compile("command\\[(.*)]");

    /** One command definition and where it came from, e.g. {@code /etc/nagios/nrpe.cfg:42}. */
    record Definition(String name, String line, String origin) {
    }

    private final Map<String, Definition> definitions = new LinkedHashMap<>();
    private final Deque<Path> reading = new ArrayDeque<>();

    private NrpeConfig() {
    }

    /** The definitions in {@code file} and its includes, in order, later ones replacing earlier ones. */
    static Map<String, Definition> read(Path file) {
        NrpeConfig config = new NrpeConfig();
        config.readFile(file, null);
        return config.definitions;
    }

    private void readFile(Path file, String includedFrom) {
        Path real;
        List<String> lines;
        try {
            real = file.toRealPath();
            lines = Files.readAllLines(real);
        } catch (CharacterCodingException e) {
            throw new ConfigException("cannot read NRPE configuration " + file + where(includedFrom) + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("cannot read NRPE configuration " + file + where(includedFrom) + ": " + e
                    + "; fix the path (setting config, or the include)");
        }
        if (reading.contains(real)) {
            throw new ConfigException("NRPE configuration " + file + " includes itself" + where(includedFrom)
                    + "; remove the include loop");
        }
        reading.push(real);
        for (int i = 0; i < lines.size(); i++) {
            String origin = file + ":" + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new ConfigException(origin + ": '" + line + "' is not a setting (NAME=VALUE) or a comment (#)");
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            Matcher command = COMMAND.matcher(key);
            if (command.matches()) {
                String name = command.group(1).strip();
                definitions.remove(name); // so the order is that of the definitions that count
                definitions.put(name, new Definition(name, value, origin));
            } else if (key.equals("include")) {
                readFile(resolve(file, value), origin);
            } else if (key.equals("include_dir")) {
                readDirectory(resolve(file, value), origin);
            }
        }
        reading.pop();
    }

    private void readDirectory(Path dir, String origin) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(origin + ": include_dir " + dir + " is not a directory; fix or remove the include");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(path -> path.getFileName().toString().endsWith(".cfg") && Files.isRegularFile(path))
                    .sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigException(origin + ": cannot list include_dir " + dir + ": " + e);
        }
        for (Path file : files) {
            readFile(file, origin);
        }
    }

    private static Path resolve(Path including, String value) {
        Path parent = including.toAbsolutePath().getParent();
        return parent == null ? Path.of(value) : parent.resolve(value);
    }

    private static String where(String includedFrom) {
        return includedFrom == null ? "" : " (included at " + includedFrom + ")";
    }
}
