package io.drover.agent;

import io.drover.agent.plugin.AgentPlugin;
import io.drover.agent.plugin.ConfigException;
import io.drover.security.RequestSecurity;
import io.drover.transport.BrokerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The node agent daemon: {@code java -jar drover-agent.jar --config /etc/drover/agent.yaml}. Connects to the
 * broker (retrying until it is reachable), serves requests until stopped, and reconnects by itself when the
 * broker goes away and comes back.
 */
public final class AgentMain {
    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);
    public static final String USAGE = """
            Usage: java -jar drover-agent.jar --config FILE [--identity NAME] [--check]
                   java -jar drover-agent.jar keys create --name node --dir /etc/drover
                     (the node key; the fleet issuer certifies node.pub: drover keys issue ... --out node.crt)
              --config FILE     agent configuration (YAML), default /etc/drover/agent.yaml
              --identity NAME   serve as NAME instead of the configured identity (several agents, one file)
              --check           validate the configuration and exit
              --version         print the version and exit
            """;

    private AgentMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the agent, or {@code keys ...} to make a node key; returns the exit code. */
    public static int run(String[] args) {
        if (args.length > 0 && args[0].equals("keys")) {
            return NodeKeyCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
        }
        Path config = Path.of("/etc/drover/agent.yaml");
        boolean check = false;
        String identity = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c", "--identity" -> {
                    if (i + 1 >= args.length) {
                        System.err.print("drover-agent: " + args[i] + " needs a value\n" + USAGE);
                        return 2;
                    }
                    if (args[i].equals("--identity")) {
                        identity = args[++i];
                    } else {
                        config = Path.of(args[++i]);
                    }
                }
                case "--check" -> check = true;
                case "--version" -> {
                    System.out.println("drover-agent " + AgentVersion.current());
                    return 0;
                }
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> {
                    System.err.print("drover-agent: unknown argument '" + args[i] + "'\n" + USAGE);
                    return 2;
                }
            }
        }
        AgentConfig agentConfig;
        Node node;
        try {
            agentConfig = AgentConfig.load(config);
            if (identity != null) {
                agentConfig = agentConfig.withIdentity(identity);
            }
            node = Node.build(agentConfig.node(), Plugins.installed());
        } catch (io.drover.error.ConfigurationException | IllegalArgumentException e) {
            System.err.println("drover-agent: " + e.getMessage());
            return 2;
        }
        RequestSecurity security;
        try {
            security = agentConfig.security().open(!check, node.identity());
        } catch (io.drover.error.ConfigurationException e) {
            System.err.println("drover-agent: " + e.getMessage());
            return 2;
        }
        if (check) {
            System.out.println("drover-agent: " + config + " is valid: " + describe(node) + "; " + agentConfig.security().describe());
            return 0;
        }
        return serve(agentConfig, node, security);
    }

    private static int serve(AgentConfig config, Node node, RequestSecurity security) {
        long started = System.nanoTime();
        BrokerConnector broker = config.broker().connector();
        if (config.security().unsignedReplies()) {
            LOG.warn("security.unsigned_replies is true: this agent's replies are UNSIGNED; runners refuse them unless they run with "
                    + "-Ddrover.insecure.accept-unsigned-replies=true");
        }
        if (config.security().allowsUnsigned()) {
            LOG.warn("security.allow_unsigned is true: this agent obeys UNSIGNED requests from anyone who can reach the broker");
        }
        RequestHandler handler = new RequestHandler(Clock.systemUTC(), config.clockSkew(), config.maxTtl(), true, security);
        NodeHost.Options options = NodeHost.Options.agent(node.identity());
        NodeHost host = new NodeHost(broker, handler, new NodeHost.Options(options.name(), config.threads(),
                options.queueCapacity(), options.nodesPerConnection(), config.registrationInterval()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("drover-agent {} stopping", node.identity());
            host.close();
            security.audit().close();
            stopped.countDown();
        }, "drover-agent shutdown"));
        long backoffMs = 1000;
        while (true) {
            try {
                host.add(List.of(node));
                break;
            } catch (BrokerRefusedException e) {
                LOG.error("Broker {} refused this node: {}; retrying in {} s", broker, e.getMessage(), backoffMs / 1000);
            } catch (IOException | TimeoutException e) {
                LOG.warn("Broker {} not reachable ({}); retrying in {} s", broker, rootCause(e), backoffMs / 1000);
            } catch (IllegalStateException e) {
                LOG.error("{}", e.getMessage());
                return 1;
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return 1;
            }
            backoffMs = Math.min(backoffMs * 2, 30_000);
        }
        LOG.info("drover-agent {} ready in {} ms: {}; broker {}{}; {}", AgentVersion.current(),
                (System.nanoTime() - started) / 1_000_000, describe(node), broker, broker.isTls() ? " (TLS)" : "",
                config.security().describe());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String describe(Node node) {
        return "identity " + node.identity() + ", collectives " + node.collectives() + ", agents "
                + node.plugins().stream().map(AgentPlugin::name).map(name -> {
                    String provider = node.plugin(name).provider();
                    return provider.isEmpty() ? name : name + "(" + provider + ")";
                }).collect(Collectors.joining(", ")) + ", " + node.classes().size() + " classes, "
                + node.facts().size() + " facts";
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
