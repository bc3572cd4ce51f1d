package io.drover.catalog;

import static io.drover.catalog.OutputType.BOOLEAN;
import static io.drover.catalog.OutputType.LIST;
import static io.drover.catalog.OutputType.STRING;

/** The {@code firewall} agent: block, unblock, is_blocked, list_blocked. Block and unblock are idempotent. */
public final class FirewallCatalog {
    public static final String AGENT = "firewall";

    public static final String BLOCK = "block";
    public static final String UNBLOCK = "unblock";
    public static final String IS_BLOCKED = "is_blocked";
    public static final String LIST_BLOCKED = "list_blocked";

    public static final String ADDRESS = "address";

    public static final String CHANGED = "changed";
    public static final String BLOCKED = "blocked";

    private static final InputSpec ADDRESS_INPUT = InputSpec.ipAddress(ADDRESS).required()
            .describedAs("IPv4 or IPv6 address or network, e.g. 192.168.1.1, 10.0.0.0/8, 2001:db8::1");

    public static final AgentCatalog CATALOG = AgentCatalog.of(AGENT, "Block and unblock incoming traffic by source address",
            ActionSpec.named(BLOCK, "Drop incoming traffic from an address").input(ADDRESS_INPUT)
                    .output(CHANGED, BOOLEAN, "false if the address was already blocked")
                    .output(ADDRESS, STRING, "the address in canonical form")
                    .output(BLOCKED, BOOLEAN, "always true after success").build(),
            ActionSpec.named(UNBLOCK, "Stop dropping incoming traffic from an address").input(ADDRESS_INPUT)
                    .output(CHANGED, BOOLEAN, "false if the address was not blocked")
                    .output(ADDRESS, STRING, "the address in canonical form")
                    .output(BLOCKED, BOOLEAN, "always false after success").build(),
            ActionSpec.named(IS_BLOCKED, "Whether traffic from an address is dropped").input(ADDRESS_INPUT)
                    .output(ADDRESS, STRING, "the address in canonical form")
                    .output(BLOCKED, BOOLEAN, "true if blocked").build(),
            ActionSpec.named(LIST_BLOCKED, "Addresses blocked by Drover on this node")
                    .output(BLOCKED, LIST, "list of addresses").build());

    private FirewallCatalog() {
    }
}
