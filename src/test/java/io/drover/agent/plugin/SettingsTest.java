package io.drover.agent.plugin;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    private static Settings settings(Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new Settings("agents.package", values);
    }

    private static String error(Runnable read) {
        return assertThrows(ConfigException.class, read::run).getMessage();
    }

    @Test
    void stringsWithFallback() {
        Settings s = settings("arch", "amd64", "release", 12, "flag", true);
        assertEquals("amd64", s.string("arch", "x86_64"));
        assertEquals("x86_64", s.string("missing", "x86_64"));
        assertEquals("12", s.string("release", null), "a YAML scalar reads as its text");
        assertEquals("true", s.string("flag", null));
    }

    @Test
    void wrongTypeNamesTheSetting() {
        Settings s = settings("arch", List.of("a"), "threads", "many", "force", "yes", "installed", "mywebapp",
                "blocked", Map.of("a", 1), "nodes", List.of("x"), "ratio", 2.5);
        assertEquals("agents.package.arch must be a string, got [a]", error(() -> s.string("arch", null)));
        assertEquals("agents.package.threads must be an integer, got many", error(() -> s.integer("threads", 1)));
        assertEquals("agents.package.ratio must be an integer, got 2.5", error(() -> s.integer("ratio", 1)));
        assertEquals("agents.package.force must be true or false, got yes", error(() -> s.bool("force", false)));
        assertEquals("agents.package.installed must be a map, got mywebapp", error(() -> s.map("installed")));
        assertEquals("agents.package.blocked must be a list of strings, got {a=1}", error(() -> s.strings("blocked")));
        assertEquals("agents.package.nodes must be a list of mappings, got [x]", error(() -> s.maps("nodes")));
    }

    @Test
    void requiredString() {
        Settings s = settings("provider", "sandbox", "blank", "  ");
        assertEquals("sandbox", s.requiredString("provider", "hint"));
        assertEquals("agents.package.blank is required; available providers: sandbox",
                error(() -> s.requiredString("blank", "available providers: sandbox")));
        assertEquals("agents.package.other is required; hint", error(() -> s.requiredString("other", "hint")));
    }

    @Test
    void integersAndBooleans() {
        Settings s = settings("threads", 4, "big", 5_000_000_000L, "whole", 2.0, "force", false);
        assertEquals(4, s.integer("threads", 8));
        assertEquals(5_000_000_000L, s.integer("big", 8));
        assertEquals(2, s.integer("whole", 8));
        assertEquals(8, s.integer("missing", 8));
        assertFalse(s.bool("force", true));
        assertTrue(s.bool("missing", true));
    }

    @Test
    void integerTooLargeForALongIsRefusedNotWrapped() {
        // 2^64 + 3 would read as 3 if BigInteger.longValue() silently dropped the high bits.
        Settings s = settings("max_ttl", BigInteger.TWO.pow(64).add(BigInteger.valueOf(3)));
        assertThrows(ConfigException.class, () -> s.integer("max_ttl", 60),
                "an integer beyond the range of long must be refused, not wrapped to a small value");
    }

    @Test
    void infiniteNumberIsNotAnInteger() {
        Settings s = settings("timeout", Double.POSITIVE_INFINITY);
        assertThrows(ConfigException.class, () -> s.integer("timeout", 10),
                "YAML .inf must not read as Long.MAX_VALUE");
    }

    @Test
    void mapsAreCopiesInFileOrder() {
        Map<String, Object> installed = new LinkedHashMap<>();
        installed.put("zeta", "1.0");
        installed.put("alpha", "2.0");
        Settings s = settings("installed", installed);
        Map<String, Object> read = s.map("installed");
        assertEquals(List.of("zeta", "alpha"), List.copyOf(read.keySet()));
        read.put("added", "3.0");
        assertEquals(2, installed.size(), "changing the returned map must not change the settings");
        assertEquals(Map.of(), s.map("missing"));
    }

    @Test
    void stringListAcceptsASingleStringAndNumbers() {
        Settings s = settings("one", "drover", "many", List.of("a", 2, "c"), "bad", List.of("a", List.of("b")));
        assertEquals(List.of("drover"), s.strings("one"));
        assertEquals(List.of("a", "2", "c"), s.strings("many"));
        assertEquals(List.of(), s.strings("missing"));
        assertTrue(error(() -> s.strings("bad")).startsWith("agents.package.bad must be a list of strings"));
    }

    @Test
    void listOfMappings() {
        Settings s = settings("nodes", List.of(Map.of("identity", "a"), Map.of("identity", "b")));
        assertEquals(2, s.maps("nodes").size());
        assertEquals(List.of(), s.maps("missing"));
    }

    @Test
    void requireAllReadNamesUnknownKeysAndKnownOnes() {
        Settings s = settings("provider", "sandbox", "instaled", Map.of());
        s.string("provider", null);
        s.map("installed");
        assertEquals("Unknown setting [instaled] in agents.package; known settings: [provider, installed]",
                error(s::requireAllRead));
    }

    @Test
    void requireAllReadListsSeveralUnknownKeysSorted() {
        Settings s = settings("b", 1, "a", 2);
        assertEquals("Unknown settings [a, b] in agents.package; known settings: none", error(s::requireAllRead));
    }

    @Test
    void requireAllReadPassesWhenEveryKeyWasRead() {
        Settings s = settings("provider", "sandbox", "arch", "amd64");
        s.string("provider", null);
        s.string("arch", null);
        s.requireAllRead();
    }

    @Test
    void hasDoesNotCountAsReading() {
        Settings s = settings("arch", "amd64");
        assertTrue(s.has("arch"));
        assertFalse(s.has("other"));
        assertThrows(ConfigException.class, s::requireAllRead);
    }

    @Test
    void sectionsAreStrictAndNamedByPath() {
        Map<String, Object> nested = new HashMap<>();
        nested.put("check_load", Map.of("exit", 0, "ouptut", "OK"));
        Settings commands = new Settings("agents.nrpe", Map.of("commands", nested)).section("commands");
        assertEquals("agents.nrpe.commands", commands.where());
        Settings check = commands.section("check_load");
        assertEquals(0, check.integer("exit", 3));
        assertEquals("OK", check.string("output", "OK"), "the misspelt key is not read as output");
        assertEquals("Unknown setting [ouptut] in agents.nrpe.commands.check_load; known settings: [exit, output]",
                error(check::requireAllRead));
    }

    @Test
    void nullValuesAndEmptySettings() {
        Settings none = new Settings("agents.firewall", null);
        assertEquals("fallback", none.string("x", "fallback"));
        none.requireAllRead();
        Settings empty = Settings.empty("agents.rpcutil");
        assertEquals("agents.rpcutil", empty.where());
        assertEquals(Map.of(), empty.map("x"));
    }

    @Test
    void invalidNamesTheSetting() {
        assertEquals("agents.package.threads: must be 1 to 256",
                settings().invalid("threads", "must be 1 to 256").getMessage());
    }
}
