package io.drover.agent;

import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.facts.BuiltinFacts;
import io.drover.agent.facts.Facter;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.transport.BrokerConnector;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node agent's configuration, from {@code agent.yaml}:
 * <pre>
 * identity: web01.example.com        # default: the host name
 * collectives: [drover]
 * broker: amqp://drover:secret@broker.example.com:5672   # or a list, for failover
 * facts: facts.yaml                  # YAML or JSON; relative to this file; wins over the facts below
 * builtin_facts: true                # hostname, fqdn, os, kernel, architecture, networking, processors, memory
 * facter: false                      # true (or a path) merges `facter -j`
 * classes: classes.txt               # one class per line
 * threads: 8
 * clock_skew: 30                     # seconds a request may be dated in the future
 * max_ttl: 3600                      # longest request validity accepted, seconds
 * agents:
 *   firewall: {provider: sandbox}
 * </pre>
 *
 * @param node      the node to serve
 * @param brokers   broker URIs, the first preferred
 * @param threads   threads running actions
 * @param clockSkew allowed clock difference with callers
 * @param maxTtl    longest request TTL accepted, seconds
 */
public record AgentConfig(NodeSpec node, List<URI> brokers, int threads, Duration clockSkew, int maxTtl) {
    public static final String DEFAULT_COLLECTIVE = "drover";

    /** Loads and checks a configuration file; every problem is a {@link ConfigException} naming the setting. */
    public static AgentConfig load(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Settings settings = new Settings(file.toString(), YamlDocuments.readMap(file, "agent configuration"));
        String identity = settings.string("identity", null);
        if (identity == null) {
            identity = hostname();
        }
        List<String> collectives = settings.strings("collectives");
        if (collectives.isEmpty()) {
            collectives = List.of(DEFAULT_COLLECTIVE);
        }
        List<String> brokerTexts = settings.strings("broker");
        if (brokerTexts.isEmpty()) {
            throw new ConfigException(file + ": broker is required, e.g. broker: amqp://user:password@broker.example.com:5672");
        }
        List<URI> brokers;
        try {
            brokers = BrokerConnector.parseAll(String.join(",", brokerTexts));
            BrokerConnector.of(brokers);
        } catch (IllegalArgumentException e) {
            throw settings.invalid("broker", e.getMessage());
        }

        // Facts in layers: what the agent sees of the host, then facter's, then the facts file, which wins.
        Map<String, Object> facts = new LinkedHashMap<>();
        if (settings.bool("builtin_facts", true)) {
            facts = DeepMerge.merge(facts, BuiltinFacts.collect());
        }
        String facter = settings.string("facter", "false");
        if (!facter.equals("false")) {
            String program = facter.equals("true") ? "facter" : facter;
            facts = DeepMerge.merge(facts, Facter.collect(new ProcessCommandRunner(List.of(), Duration.ofSeconds(60),
                    ProcessCommandRunner.DEFAULT_OUTPUT_LIMIT), program));
        }
        String factsFile = settings.string("facts", null);
        if (factsFile != null) {
            facts = DeepMerge.merge(facts, YamlDocuments.readMap(dir.resolve(factsFile), "facts file"));
        }
        Set<String> classes = new LinkedHashSet<>();
        String classesFile = settings.string("classes", null);
        if (classesFile != null) {
            classes.addAll(YamlDocuments.readClasses(dir.resolve(classesFile)));
        }
        long threads = settings.integer("threads", 8);
        if (threads < 1 || threads > 256) {
            throw settings.invalid("threads", "must be 1 to 256");
        }
        long skew = settings.integer("clock_skew", 30);
        if (skew < 0 || skew > 3600) {
            throw settings.invalid("clock_skew", "must be 0 to 3600 seconds");
        }
        long maxTtl = settings.integer("max_ttl", 3600);
        if (maxTtl < 1 || maxTtl > 86_400) {
            throw settings.invalid("max_ttl", "must be 1 to 86400 seconds");
        }
        Map<String, Map<String, Object>> agents = new LinkedHashMap<>();
        Settings agentSection = settings.section("agents");
        for (String agent : settings.map("agents").keySet()) {
            agents.put(agent, agentSection.map(agent));
        }
        settings.requireAllRead();
        return new AgentConfig(new NodeSpec(identity, collectives, classes, facts, agents), brokers, (int) threads,
                Duration.ofSeconds(skew), (int) maxTtl);
    }

    /** The same configuration serving another identity. */
    public AgentConfig withIdentity(String identity) {
        NodeSpec spec = new NodeSpec(identity, node.collectives(), node.classes(), node.facts(), node.agents());
        return new AgentConfig(spec, brokers, threads, clockSkew, maxTtl);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            throw new ConfigException("Cannot determine the host name (" + e.getMessage() + "); set identity in the configuration");
        }
    }
}
