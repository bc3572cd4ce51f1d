package io.drover.agent;

import io.drover.agent.plugin.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentConfigTest {
    /** A broker, and no host facts, so tests compare exactly the facts they wrote. */
    private static final String BROKER = "broker: amqp://drover:secret@broker.example.com:5672\nbuiltin_facts: false\n";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private String error(String config) throws IOException {
        Path file = write("agent.yaml", config);
        return assertThrows(io.drover.error.ConfigurationException.class, () -> AgentConfig.load(file)).getMessage();
    }

    @Test
    void anNrpeConfigPathIsRelativeToTheAgentYamlNotTheWorkingDirectory() throws IOException {
        // agent.yaml says relative paths are relative to it; the nrpe config was read from the working directory.
        write("conf/nrpe.cfg", "command[check_here]=/usr/lib/nagios/plugins/check_dummy 0 here\n");
        AgentConfig config = AgentConfig.load(write("conf/agent.yaml", BROKER
                + "identity: web1.example.com\nagents:\n  nrpe: {provider: nrpe, config: nrpe.cfg}\n"));
        Node node = Node.build(config.node(), Plugins.installed());
        assertEquals(java.util.Set.of("check_here"), node.plugin("nrpe", io.drover.agents.nrpe.NrpeAgent.class).checks().commands());
    }

    @Test
    void fullConfiguration() throws IOException {
        write("facts.yaml", """
                country: de
                os:
                  family: RedHat
                  release: {major: 5}
                """);
        write("classes.txt", """
                # written by puppet
                roles::dev_server

                  base  \s
                # another comment
                monitoring::nrpe
                """);
        Path file = write("agent.yaml", """
                identity: web01.de.example.com
                collectives: [drover, eu_production]
                broker:
                  - amqp://drover:secret@broker1.example.com:5672
                  - amqps://drover:secret@broker2.example.com
                facts: facts.yaml
                builtin_facts: false
                classes: classes.txt
                threads: 4
                clock_skew: 10
                max_ttl: 600
                agents:
                  firewall: {provider: sandbox}
                  package:
                    provider: sandbox
                    installed: {mywebapp: 4.2.6-2.el5}
                """);
        AgentConfig config = AgentConfig.load(file);
        NodeSpec node = config.node();
        assertEquals("web01.de.example.com", node.identity());
        assertEquals(List.of("drover", "eu_production"), node.collectives());
        assertEquals(List.of(URI.create("amqp://drover:secret@broker1.example.com:5672"),
                URI.create("amqps://drover:secret@broker2.example.com")), config.brokers());
        assertEquals(Map.of("country", "de", "os", Map.of("family", "RedHat", "release", Map.of("major", 5))), node.facts());
        assertEquals(List.of("roles::dev_server", "base", "monitoring::nrpe"), List.copyOf(node.classes()));
        assertEquals(4, config.threads());
        assertEquals(Duration.ofSeconds(10), config.clockSkew());
        assertEquals(600, config.maxTtl());
        assertEquals(Map.of("firewall", Map.of("provider", "sandbox"),
                "package", Map.of("provider", "sandbox", "installed", Map.of("mywebapp", "4.2.6-2.el5"))), node.agents());

        Node built = Node.build(node, Plugins.installed());
        assertEquals(Set.of("rpcutil", "firewall", "package"), built.agents());
    }

    @Test
    void defaults() throws Exception {
        AgentConfig config = AgentConfig.load(write("agent.yaml", BROKER));
        assertEquals(InetAddress.getLocalHost().getHostName(), config.node().identity());
        assertEquals(List.of("drover"), config.node().collectives());
        assertEquals(8, config.threads());
        assertEquals(Duration.ofSeconds(30), config.clockSkew());
        assertEquals(3600, config.maxTtl());
        assertEquals(Map.of(), config.node().facts());
        assertEquals(Set.of(), config.node().classes());
        assertEquals(Map.of(), config.node().agents());
    }

    @Test
    void userIdStampingIsOffUnlessTheBrokerSectionAsksForIt() throws Exception {
        assertEquals(null, AgentConfig.load(write("agent.yaml", BROKER)).broker().connector().userId());
        AgentConfig config = AgentConfig.load(write("agent.yaml",
                "broker: {uris: [amqp://broker.example.com], username: web01.example.com, user_id: true}\nidentity: web01.example.com\n"));
        assertEquals("web01.example.com", config.broker().connector().userId(), "the broker user, which RabbitMQ checks");
    }

    @Test
    void hostFactsComeFirstAndTheFactsFileWins() throws Exception {
        write("facts.yaml", "country: de\nos: {family: Custom}\n");
        NodeSpec node = AgentConfig.load(write("agent.yaml",
                "broker: amqp://broker.example.com\nidentity: web01\nfacts: facts.yaml\n")).node();
        assertEquals("de", node.facts().get("country"));
        assertEquals("Custom", io.drover.filter.FactPath.resolve(node.facts(), "os.family"), "the file wins");
        assertTrue(io.drover.filter.FactPath.resolve(node.facts(), "os.name") != null, "host facts stay beside it");
        assertTrue(((Number) io.drover.filter.FactPath.resolve(node.facts(), "processors.count")).intValue() >= 1);
        assertTrue(node.facts().containsKey("hostname") && node.facts().containsKey("kernel"));
    }

    @Test
    void facterThatCannotRunIsAConfigurationError() throws Exception {
        io.drover.error.ConfigurationException e = assertThrows(io.drover.error.ConfigurationException.class, () -> AgentConfig.load(write("agent.yaml",
                BROKER + "identity: web01\nfacter: /no/such/facter\n")));
        assertTrue(e.getMessage().contains("facter is enabled"), e.getMessage());
    }

    @Test
    void singleCollectiveAsAString() throws IOException {
        AgentConfig config = AgentConfig.load(write("agent.yaml", BROKER + "identity: web01\ncollectives: production\n"));
        assertEquals(List.of("production"), config.node().collectives());
    }

    @Test
    void commaSeparatedBrokers() throws IOException {
        AgentConfig config = AgentConfig.load(write("agent.yaml",
                "identity: web01\nbroker: amqp://a.example.com, amqp://b.example.com\n"));
        assertEquals(List.of(URI.create("amqp://a.example.com"), URI.create("amqp://b.example.com")), config.brokers());
    }

    @Test
    void jsonFactsRelativeToTheConfigDirectory() throws IOException {
        write("etc/drover/facts.json", "{\"country\": \"fr\", \"processors\": {\"count\": 8}}");
        write("etc/drover/classes", "roles::web_server\n");
        Path file = write("etc/drover/agent.yaml", BROKER + "identity: web02\nfacts: facts.json\nclasses: classes\n");
        // The working directory is the project, not the config's directory: the paths must resolve against the latter.
        NodeSpec node = AgentConfig.load(file).node();
        assertEquals(Map.of("country", "fr", "processors", Map.of("count", 8)), node.facts());
        assertEquals(Set.of("roles::web_server"), node.classes());
    }

    @Test
    void absoluteFactsPath() throws IOException {
        Path facts = write("elsewhere/facts.yaml", "country: us\n");
        Path file = write("conf/agent.yaml", BROKER + "identity: web03\nfacts: " + facts.toAbsolutePath() + "\n");
        assertEquals(Map.of("country", "us"), AgentConfig.load(file).node().facts());
    }

    @Test
    void emptyFactsFileIsNoFacts() throws IOException {
        write("facts.yaml", "");
        assertEquals(Map.of(), AgentConfig.load(write("agent.yaml", BROKER + "identity: web01\nfacts: facts.yaml\n")).node().facts());
    }

    @Test
    void factsFileWithOnlyCommentsIsNoFacts() throws IOException {
        // What a package installs before anyone fills it in.
        write("facts.yaml", "# Facts of this node\n# country: de\n\n");
        assertEquals(Map.of(), AgentConfig.load(write("agent.yaml", BROKER + "identity: web01\nfacts: facts.yaml\n")).node().facts());
    }

    @Test
    void missingBrokerIsAnError() throws IOException {
        String message = error("identity: web01\n");
        assertTrue(message.contains("broker is required"), message);
    }

    @Test
    void unknownKeyIsAnErrorNamingIt() throws IOException {
        String message = error(BROKER + "identity: web01\nthread: 4\n");
        assertTrue(message.startsWith("Unknown setting [thread] in "), message);
        assertTrue(message.contains("threads"), "known settings are listed: " + message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "257", "-1", "many", "2.5", "[4]"})
    void badThreadsIsAnError(String threads) throws IOException {
        String message = error(BROKER + "identity: web01\nthreads: " + threads + "\n");
        assertTrue(message.contains("threads"), message);
    }

    @Test
    void threadsBeyondTheRangeOfIntIsAnError() throws IOException {
        // 2^32 + 8: cast to int before the range check, this reads as 8 threads.
        String message = error(BROKER + "identity: web01\nthreads: 4294967304\n");
        assertTrue(message.contains("threads"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"clock_skew: -1", "clock_skew: 3601", "max_ttl: 0", "max_ttl: 86401"})
    void outOfRangeTimesAreErrors(String setting) throws IOException {
        String message = error(BROKER + "identity: web01\n" + setting + "\n");
        assertTrue(message.contains(setting.substring(0, setting.indexOf(':')) + ": must be"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"web 01\"", "-web01", "\"web01;reboot\"", "\"\"", "web01/x"})
    void invalidIdentityIsAnError(String identity) throws IOException {
        String message = error(BROKER + "identity: " + identity + "\n");
        assertTrue(message.startsWith("Identity '"), message);
    }

    @Test
    void invalidCollectiveIsAnError() throws IOException {
        String message = error(BROKER + "identity: web01\ncollectives: [\"drover prod\"]\n");
        assertTrue(message.startsWith("Collective 'drover prod'"), message);
    }

    @Test
    void missingFactsFileIsAnError() throws IOException {
        String message = error(BROKER + "identity: web01\nfacts: nofacts.yaml\n");
        assertTrue(message.startsWith("facts file ") && message.endsWith("does not exist"), message);
    }

    @Test
    void factsFileMustBeAMapping() throws IOException {
        write("facts.yaml", "- a\n- b\n");
        String message = error(BROKER + "identity: web01\nfacts: facts.yaml\n");
        assertTrue(message.contains("must be a mapping"), message);
    }

    @Test
    void classWithASpaceIsAnError() throws IOException {
        write("classes.txt", "base\nroles::dev server\n");
        String message = error(BROKER + "identity: web01\nclasses: classes.txt\n");
        assertTrue(message.contains("line 2"), message);
    }

    @Test
    void unparsableYamlIsAnErrorWithALine() throws IOException {
        String message = error(BROKER + "identity: web01\nagents: {firewall: [\n");
        assertTrue(message.startsWith("Cannot parse agent configuration"), message);
    }

    @Test
    void missingConfigFileIsAnError() {
        io.drover.error.ConfigurationException e = assertThrows(io.drover.error.ConfigurationException.class, () -> AgentConfig.load(dir.resolve("none.yaml")));
        assertTrue(e.getMessage().endsWith("does not exist"), e.getMessage());
    }

    @Test
    void brokerWithAnotherSchemeIsAConfigError() throws IOException {
        // AgentConfig.load documents that every problem is a ConfigException naming the setting.
        Path file = write("agent.yaml", "identity: web01\nbroker: http://broker.example.com\n");
        RuntimeException e = assertThrows(RuntimeException.class, () -> AgentConfig.load(file));
        assertTrue(e.getMessage().contains("http://broker.example.com"), e.getMessage());
        assertEquals(ConfigException.class, e.getClass(), "a bad broker URI must be reported as a ConfigException");
    }

    @Test
    void aNodeSignsItsRepliesByDefaultAndMustBeEnrolledToStart() throws IOException {
        AgentConfig config = AgentConfig.load(write("agent.yaml", "identity: web1.example.com\n" + BROKER
                + "security: {allow_unsigned: true}\n"));
        assertEquals(dir.resolve("node.key"), config.security().nodeKey());
        assertEquals(dir.resolve("node.crt"), config.security().nodeCertificate());
        String missing = assertThrows(io.drover.error.ConfigurationException.class, () -> config.security().open(false, "web1.example.com")).getMessage();
        assertTrue(missing.contains("node.key does not exist; every node signs its replies"), missing);
        assertTrue(missing.contains("drover keys issue --issuer ISSUER.key --name web1.example.com --node-key node.pub"), missing);

        io.drover.testing.TestIssuer issuer = io.drover.testing.TestIssuer.create("fleet");
        issuer.enrolFiles("web2.example.com", dir);
        String other = assertThrows(io.drover.error.ConfigurationException.class, () -> config.security().open(false, "web1.example.com")).getMessage();
        assertTrue(other.contains("is for web2.example.com, not for this node's identity web1.example.com"), other);

        Files.delete(dir.resolve("node.key"));
        issuer.enrolFiles("web1.example.com", dir);
        assertNotNull(config.security().open(false, "web1.example.com").replySigner());
        Files.writeString(dir.resolve("node.crt"), issuer.certificateFor("web1.example.com").encoded());
        String notPem = assertThrows(io.drover.error.ConfigurationException.class, () -> config.security().open(false, "web1.example.com")).getMessage();
        assertTrue(notPem.contains("is not a node certificate"), notPem);
    }

    @Test
    void unsignedRepliesAreALabSettingOfTheirOwn() throws IOException {
        AgentConfig lab = AgentConfig.load(write("agent.yaml", "identity: web1.example.com\n" + BROKER
                + "security: {allow_unsigned: true, unsigned_replies: true}\n"));
        assertTrue(lab.security().unsignedReplies());
        assertNull(lab.security().open(false, "web1.example.com").replySigner());
        assertTrue(lab.security().describe().contains("replies UNSIGNED"), lab.security().describe());
        String both = error("identity: web1.example.com\n" + BROKER + "security: {unsigned_replies: true, node_key: node.key}\n");
        assertTrue(both.contains("unsigned_replies") && both.contains("choose one"), both);
    }

    @Test
    void aBrokerPasswordFileReadableByEveryoneIsRefused() throws IOException {
        Path password = write("broker.password", "s3cret\n");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        String config = "identity: web01\nbuiltin_facts: false\nbroker:\n  uris: [amqp://broker.example.com]\n"
                + "  username: drover\n  password_file: broker.password\n";
        String message = error(config);
        assertTrue(message.contains("password_file") && message.contains("readable by everyone") && message.contains("chmod 600"),
                message);

        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        AgentConfig loaded = AgentConfig.load(dir.resolve("agent.yaml"));
        assertEquals("s3cret", loaded.broker().password());
    }
}
