package io.drover.catalog;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The catalogs of the agents that ship with Drover, which the runner and the CLI check calls against before
 * sending them. Other agents (plugins installed on the nodes only) have no catalog here: their calls are sent
 * as they are, and the node validates them.
 */
public final class Catalogs {
    private static final Map<String, AgentCatalog> BUILT_IN = new LinkedHashMap<>();

    static {
        for (AgentCatalog catalog : new AgentCatalog[] {RpcutilCatalog.CATALOG, FirewallCatalog.CATALOG,
                PackageCatalog.CATALOG, ServiceCatalog.CATALOG, NrpeCatalog.CATALOG}) {
            BUILT_IN.put(catalog.name(), catalog);
        }
    }

    private Catalogs() {
    }

    /** rpcutil, firewall, package, service and nrpe, in that order. */
    public static Collection<AgentCatalog> builtIn() {
        return BUILT_IN.values();
    }

    /** The catalog of a built-in agent, or empty for an agent Drover does not ship. */
    public static Optional<AgentCatalog> find(String agent) {
        return Optional.ofNullable(BUILT_IN.get(agent));
    }

    /**
     * Checks a call before it is sent, with the validator and the words the node uses: an unknown action or an
     * input the catalog refuses throws. Calls of agents without a catalog here pass unchecked.
     *
     * @throws InvalidInputException saying what is wrong, as the node would have replied
     */
    public static void validate(String agent, String action, Map<String, Object> params) {
        Optional<AgentCatalog> catalog = find(agent);
        if (catalog.isPresent()) {
            InputValidator.validate(agent, catalog.get().requireAction(action), params);
        }
    }
}
