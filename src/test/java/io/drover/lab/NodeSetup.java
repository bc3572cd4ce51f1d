package io.drover.lab;

import io.drover.testing.TestIssuer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a booted {@link LabNode} into a host as an operator would have it: apt reading only the lab's local
 * repository, mywebapp {@link MywebappPackages#OLD} installed from it and serving, and the agent installed from
 * the build's .deb with a configuration that trusts the lab's caller and uses the real providers
 * ({@code provider: auto}). The package's postinst starts {@code drover-agent.service}.
 */
final class NodeSetup {
    static final String AGENT_UNIT = "drover-agent.service";

    private final Path agentDeb;
    private final Path callerKey;
    private final String brokerUri;
    private final String brokerUser;
    private final String brokerPassword;
    private final MywebappPackages packages;
    private final TestIssuer issuer;

    /**
     * @param agentDeb  target/drover-agent_VERSION_all.deb
     * @param callerKey the public key (NAME.pub) of the caller the agents obey
     * @param brokerUri the broker as the nodes reach it, without credentials
     * @param issuer    the fleet issuer that enrols each node (node.key and node.crt next to agent.yaml)
     */
    NodeSetup(Path agentDeb, Path callerKey, String brokerUri, String brokerUser, String brokerPassword, MywebappPackages packages,
              TestIssuer issuer) {
        this.agentDeb = agentDeb;
        this.callerKey = callerKey;
        this.brokerUri = brokerUri;
        this.brokerUser = brokerUser;
        this.brokerPassword = brokerPassword;
        this.packages = packages;
        this.issuer = issuer;
    }

    void prepare(LabNode node) throws IOException, InterruptedException {
        // The host this lab runs on is built like a Docker image: its policy-rc.d forbids starting services when
        // packages are installed. A booted machine has none; without this the postinsts could not start anything.
        Files.deleteIfExists(node.container().root().resolve("usr/sbin/policy-rc.d"));
        aptSources(node);
        packages.publish(node.container().root(), List.of(MywebappPackages.OLD, MywebappPackages.NEW));
        node.check("apt-get", "-q", "update");
        node.check("apt-get", "-q", "-y", "install", "mywebapp=" + MywebappPackages.OLD);
        agentConfiguration(node);
        Files.copy(agentDeb, node.container().root().resolve("var/tmp/drover-agent.deb"));
        // The configuration is in place first, as configuration management would put it: keep it (confold).
        node.check("dpkg", "-i", "--force-confdef", "--force-confold", "/var/tmp/drover-agent.deb");
    }

    /**
     * apt reads only the lab's repository: the host's sources would need the network, which the lab has not.
     * The host's own lists and sources files stay as they are (the container's writes go to its upper layer).
     */
    private static void aptSources(LabNode node) throws IOException {
        node.write("etc/apt/apt.conf.d/99drover-lab", """
                // Drover lab: the local repository is the only source.
                Dir::Etc::sourcelist "/etc/apt/drover-lab.list";
                Dir::Etc::sourceparts "/etc/apt/drover-lab.list.d";
                """);
        node.write("etc/apt/drover-lab.list", "deb [trusted=yes] file:/" + MywebappPackages.REPOSITORY + " ./\n");
        Files.createDirectories(node.container().root().resolve("etc/apt/drover-lab.list.d"));
    }

    private void agentConfiguration(LabNode node) throws IOException {
        node.write("etc/drover/agent.yaml", """
                identity: %s
                collectives: [drover]
                broker:
                  uris: [%s]
                  username: %s
                  password_file: broker.password
                facts: facts.yaml
                classes: classes.txt
                threads: 4
                security:
                  trusted_callers: callers
                  audit_log: /var/log/drover/audit.log
                agents:
                  firewall: {provider: auto}
                  package: {provider: auto}
                  service: {provider: auto}
                  nrpe: {provider: nrpe, config: /etc/drover/nrpe.cfg}
                """.formatted(node.identity(), brokerUri, brokerUser));
        node.write("etc/drover/broker.password", brokerPassword + "\n", "rw-------");
        // Enrolled as an operator would: the node's key and the issuer's certificate, at the default paths.
        issuer.enrolFiles(node.identity(), node.container().root().resolve("etc/drover"));
        node.write("etc/drover/facts.yaml", "country: " + node.country() + "\nenvironment: lab\n");
        node.write("etc/drover/classes.txt", "base\nroles::dev_server\n");
        node.write("etc/drover/callers/" + callerKey.getFileName(), Files.readString(callerKey));
        // A small, quickly starting JVM: the lab runs eight on two cores.
        node.write("etc/default/drover-agent",
                "DROVER_AGENT_JAVA_OPTS=\"-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData\"\n", "rw-------");
    }
}
