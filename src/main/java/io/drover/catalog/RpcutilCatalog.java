package io.drover.catalog;

import static io.drover.catalog.OutputType.ANY;
import static io.drover.catalog.OutputType.INTEGER;
import static io.drover.catalog.OutputType.LIST;
import static io.drover.catalog.OutputType.MAP;
import static io.drover.catalog.OutputType.STRING;

/** The {@code rpcutil} agent, enabled on every node: ping (used by discovery), inventory, get_fact. */
public final class RpcutilCatalog {
    public static final String AGENT = "rpcutil";

    public static final String PING = "ping";
    public static final String INVENTORY = "inventory";
    public static final String GET_FACT = "get_fact";

    public static final String FACT = "fact";

    public static final String PONG = "pong";
    public static final String IDENTITY = "identity";
    public static final String VERSION = "version";
    public static final String COLLECTIVES = "collectives";
    public static final String AGENTS = "agents";
    public static final String CLASSES = "classes";
    public static final String FACTS = "facts";
    public static final String VALUE = "value";

    public static final AgentCatalog CATALOG = AgentCatalog.of(AGENT, "Discovery and node information",
            ActionSpec.named(PING, "Answer at once; discovery broadcasts this")
                    .output(PONG, INTEGER, "the node's clock, epoch milliseconds").build(),
            ActionSpec.named(INVENTORY, "Identity, version, collectives, agents, classes and facts")
                    .output(IDENTITY, STRING, "the node's identity").output(VERSION, STRING, "Drover version of the agent")
                    .output(COLLECTIVES, LIST, "collectives the node is in")
                    .output(AGENTS, LIST, "enabled agents with provider and actions")
                    .output(CLASSES, LIST, "classes").output(FACTS, MAP, "facts").build(),
            ActionSpec.named(GET_FACT, "The value of one fact")
                    .input(InputSpec.string(FACT).required().maxLength(256)
                            .matching("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*", "os.family")
                            .describedAs("fact name, dotted for nested facts"))
                    .output(FACT, STRING, "fact name").output(VALUE, ANY, "fact value, null when not set").build());

    private RpcutilCatalog() {
    }
}
