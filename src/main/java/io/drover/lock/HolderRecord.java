package io.drover.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.protocol.Names;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One run's entry in its collective's holder records ({@link io.drover.transport.Topology#lockHolders}): who holds
 * the deploy locks of which hosts, and the run's marker queue ({@link io.drover.transport.Topology#lockRun}), which
 * exists exactly as long as the run's connection does. A record whose marker is gone is a finished or dead run's.
 * Anyone allowed to publish there can write one, so it is read as hostile: bounded in size and host count, every
 * name checked.
 *
 * @param run    the run's id, the last part of its marker queue's name
 * @param holder who the run is
 * @param hosts  the hosts it locked
 */
record HolderRecord(String run, LockHolder holder, SortedSet<String> hosts) {
    /** Largest record read: 100,000 hosts of 80 bytes. */
    static final int MAX_BYTES = 8 * 1024 * 1024;
    static final int MAX_HOSTS = 100_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    HolderRecord {
        run = Names.require(Names.IDENTITY, run, "run id");
        hosts = Collections.unmodifiableSortedSet(new TreeSet<>(hosts));
    }

    byte[] encode() {
        ObjectNode node = holder.write(MAPPER.createObjectNode());
        node.put("run", run);
        ArrayNode list = node.putArray("hosts");
        hosts.forEach(list::add);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a record published by another run (or by anyone allowed to publish there).
     *
     * @throws IllegalArgumentException when it is not one, saying why
     */
    static HolderRecord decode(byte[] body) {
        JsonNode node = LockHolder.parse(body, MAX_BYTES);
        String run = LockHolder.text(node, "run");
        if (!Names.isIdentity(run)) {
            throw new IllegalArgumentException("'run' is not an id");
        }
        JsonNode list = node.get("hosts");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("no 'hosts' list");
        }
        if (list.size() > MAX_HOSTS) {
            throw new IllegalArgumentException(list.size() + " hosts, more than " + MAX_HOSTS);
        }
        SortedSet<String> hosts = new TreeSet<>();
        for (JsonNode host : list) {
            if (!host.isTextual() || !Names.isIdentity(host.asText())) {
                throw new IllegalArgumentException("a host in 'hosts' is not an identity");
            }
            hosts.add(host.asText());
        }
        return new HolderRecord(run, LockHolder.read(node), hosts);
    }
}
