package io.drover.agent;

import io.drover.config.YamlDocuments;

import io.drover.agent.command.ProcessCommandRunner;
import io.drover.agent.facts.BuiltinFacts;
import io.drover.agent.facts.Facter;
import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.protocol.Names;
import io.drover.transport.BrokerSettings;
import io.drover.transport.SecretFile;

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
 * broker: amqp://drover:secret@broker.example.com:5672   # or a list, tried in order
 * facts: facts.yaml                  # YAML or JSON; relative to this file; wins over the facts below
 * builtin_facts: true                # hostname, fqdn, os, kernel, architecture, networking, processors, memory
 * facter: false                      # true (or a path) merges `facter -j`
 * classes: classes.txt               # one class per line
 * threads: 8
 * clock_skew: 30                     # seconds this clock may differ from callers', either way
 * max_ttl: 3600                      # longest request validity accepted, seconds
 * registration_interval: 300         # seconds between heartbeats to the fleet registry
 * agents:
 *   firewall: {provider: sandbox}
 * </pre>
 *
 * @param node      the node to serve
 * @param broker    broker URIs (the first preferred), credentials and TLS
 * @param threads   threads running actions
 * @param clockSkew allowed clock difference with callers
 * @param maxTtl    longest request TTL accepted, seconds
 * @param security  trusted callers, policy, audit log, node key
 * @param registrationInterval time between heartbeats to the fleet registry
 */
public record AgentConfig(NodeSpec node, BrokerSettings broker, int threads, Duration clockSkew, int maxTtl,
                          SecuritySettings security, Duration registrationInterval) {
    /** The environment variable the broker password may come from, when {@code broker.password_file} is not set. */
    static final String PASSWORD_ENVIRONMENT = "DROVER_BROKER_PASSWORD";

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
            collectives = List.of(Names.DEFAULT_COLLECTIVE);
        }
        BrokerSettings broker = broker(settings, dir, file);
        SecuritySettings security = SecuritySettings.read(settings.section("security"), dir);

        // Facts in layers: what the agent sees of the host, then facter's, then the facts file, which wins.
        Map<String, Object> facts = new LinkedHashMap<>();
        if (settings.bool("builtin_facts", true)) {
            facts = DeepMerge.merge(facts, BuiltinFacts.collect());
            facts.put("drover", Map.of("version", AgentVersion.current()));
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
        long registration = settings.integer("registration_interval", NodeHost.Options.DEFAULT_REGISTRATION_INTERVAL.toSeconds());
        if (registration < 10 || registration > 86_400) {
            throw settings.invalid("registration_interval", "must be 10 to 86400 seconds (runners retire nodes silent for "
                    + "much longer; see drover.fleet.retire-after)");
        }
        Map<String, Map<String, Object>> agents = new LinkedHashMap<>();
        Settings agentSection = settings.section("agents");
        for (String agent : settings.map("agents").keySet()) {
            agents.put(agent, agentSection.map(agent));
        }
        settings.requireAllRead();
        return new AgentConfig(new NodeSpec(identity, collectives, classes, facts, agents, dir), broker, (int) threads,
                Duration.ofSeconds(skew), (int) maxTtl, security, Duration.ofSeconds(registration));
    }

    /** The same configuration serving another identity. */
    public AgentConfig withIdentity(String identity) {
        NodeSpec spec = new NodeSpec(identity, node.collectives(), node.classes(), node.facts(), node.agents(), node.configDir());
        return new AgentConfig(spec, broker, threads, clockSkew, maxTtl, security, registrationInterval);
    }

    /** The broker URIs, the first preferred. */
    public List<URI> brokers() {
        return broker.uris();
    }

    /**
     * {@code broker:} is a URI, a list of URIs, or a section with {@code uris}, {@code username},
     * {@code password_file} and {@code tls}. The password may also come from {@code DROVER_BROKER_PASSWORD}.
     */
    private static BrokerSettings broker(Settings settings, Path dir, Path file) {
        if (!settings.isSection("broker")) {
            List<String> uris = settings.strings("broker");
            requireUris(uris, file);
            try {
                return BrokerSettings.builder(String.join(",", uris)).password(System.getenv(PASSWORD_ENVIRONMENT)).build();
            } catch (IllegalArgumentException e) {
                throw settings.invalid("broker", e.getMessage());
            }
        }
        Settings section = settings.section("broker");
        List<String> uris = section.strings("uris");
        requireUris(uris, file);
        BrokerSettings.Builder broker;
        try {
            broker = BrokerSettings.builder(String.join(",", uris));
        } catch (IllegalArgumentException e) {
            throw settings.invalid("broker", e.getMessage());
        }
        broker.username(section.string("username", null)).userId(section.bool("user_id", false));
        String passwordFile = section.string("password_file", null);
        broker.password(passwordFile != null ? secret(dir.resolve(passwordFile), section, "password_file") : System.getenv(PASSWORD_ENVIRONMENT));
        if (section.isSection("tls")) {
            Settings tls = section.section("tls");
            String trustStore = tls.string("trust_store", null);
            String trustPassword = tls.string("trust_store_password", null);
            String keyStore = tls.string("key_store", null);
            String keyPasswordFile = tls.string("key_store_password_file", null);
            String keyPassword = keyPasswordFile != null ? secret(dir.resolve(keyPasswordFile), tls, "key_store_password_file")
                    : tls.string("key_store_password", null);
            broker.trustStore(trustStore == null ? null : dir.resolve(trustStore), trustPassword)
                    .keyStore(keyStore == null ? null : dir.resolve(keyStore), keyPassword)
                    .verifyHostname(tls.bool("verify_hostname", true));
            tls.requireAllRead();
        } else {
            section.map("tls");
        }
        section.requireAllRead();
        try {
            return broker.build();
        } catch (IllegalArgumentException e) {
            throw settings.invalid("broker", e.getMessage());
        }
    }

    private static void requireUris(List<String> uris, Path file) {
        if (uris.isEmpty()) {
            throw new ConfigException(file + ": broker is required, e.g. broker: amqp://user:password@broker.example.com:5672");
        }
    }

    /** A secret kept in its own file (first line), which must not be readable by everyone. */
    private static String secret(Path file, Settings section, String key) {
        try {
            return SecretFile.read(file);
        } catch (IllegalArgumentException e) {
            throw section.invalid(key, e.getMessage());
        }
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
