package io.drover.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.protocol.Names;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Who holds a deploy lock, as other runs are told: the caller (the name requests are signed as), the feature and
 * scenario, the runner process ({@code pid@host}) and since when. Published in the collective's holder records
 * ({@link HolderRecord}) for other runs to read, so it is read as hostile: bounded, and every text made printable.
 *
 * @param caller  the caller of the run holding the lock
 * @param feature the feature file, line and scenario name
 * @param runner  the runner process, {@code pid@host}
 * @param since   when the lock was taken, by the holder's clock
 */
public record LockHolder(String caller, String feature, String runner, Instant since) {
    /** Largest holder record read; far more than a real one needs. */
    static final int MAX_BYTES = 4096;
    /** Longest text kept of any field. */
    static final int MAX_FIELD = 300;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static volatile String thisRunner;

    public LockHolder {
        caller = Names.printable(Objects.requireNonNullElse(caller, "unknown caller"), MAX_FIELD);
        feature = Names.printable(Objects.requireNonNullElse(feature, "unknown feature"), MAX_FIELD);
        runner = Names.printable(Objects.requireNonNullElse(runner, "unknown runner"), MAX_FIELD);
        since = Objects.requireNonNull(since).truncatedTo(ChronoUnit.MILLIS);
    }

    /** This process as the holder, since now. */
    public static LockHolder ofThisRunner(String caller, String feature) {
        return new LockHolder(caller, feature, thisRunner(), Instant.now());
    }

    private static String thisRunner() {
        String runner = thisRunner;
        if (runner == null) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                host = "unknown host";
            }
            runner = ProcessHandle.current().pid() + "@" + host;
            thisRunner = runner;
        }
        return runner;
    }

    byte[] encode() {
        return write(MAPPER.createObjectNode()).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Puts this holder's fields into {@code node}; a {@link HolderRecord} adds its own beside them. */
    ObjectNode write(ObjectNode node) {
        node.put("caller", caller);
        node.put("feature", feature);
        node.put("runner", runner);
        node.put("since", since.toEpochMilli());
        return node;
    }

    /**
     * Reads a holder record published by another run (or by anyone allowed to publish there).
     *
     * @throws IllegalArgumentException when it is not one, saying why
     */
    static LockHolder decode(byte[] body) {
        return read(parse(body, MAX_BYTES));
    }

    /**
     * Parses a record of at most {@code maxBytes} into a JSON object.
     *
     * @throws IllegalArgumentException when it is not one, saying why
     */
    static JsonNode parse(byte[] body, int maxBytes) {
        if (body == null || body.length == 0) {
            throw new IllegalArgumentException("empty");
        }
        if (body.length > maxBytes) {
            throw new IllegalArgumentException(body.length + " bytes, more than " + maxBytes);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + Names.printable(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + Names.printable(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return node;
    }

    /** The holder whose fields {@code node} holds, as {@link #write} put them. */
    static LockHolder read(JsonNode node) {
        JsonNode since = node.get("since");
        if (since == null || !since.canConvertToLong() || !since.isIntegralNumber()) {
            throw new IllegalArgumentException("no 'since' time");
        }
        return new LockHolder(text(node, "caller"), text(node, "feature"), text(node, "runner"), Instant.ofEpochMilli(
                Math.max(0, Math.min(since.asLong(), Instant.parse("9999-12-31T00:00:00Z").toEpochMilli()))));
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("no '" + field + "' text");
        }
        return value.asText();
    }

    /** E.g. "caller alice, feature features/deploy.feature:3 (Update the website), runner 1234@build-3, since 2026-11-30T10:00:00Z (2 min ago)". */
    public String describe(Instant now) {
        return "caller " + caller + ", feature " + feature + ", runner " + runner + ", since " + since + " (" + ago(Duration.between(since, now)) + ")";
    }

    static String ago(Duration elapsed) {
        if (elapsed.isNegative()) {
            return "by a clock " + elapsed.negated().toSeconds() + " s ahead of this one";
        }
        long seconds = elapsed.toSeconds();
        if (seconds < 120) {
            return seconds + " s ago";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min ago";
        }
        return seconds / 3600 + " h ago";
    }
}
