package io.drover.cli;

import io.drover.catalog.AgentCatalog;
import io.drover.catalog.CatalogText;
import io.drover.catalog.Catalogs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code drover agents [AGENT]}: the agents this runner knows and their actions; with an agent, its catalog (each
 * action's inputs and outputs), the same declaration the nodes validate requests against.
 */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"List the agents and their actions; with AGENT, its catalog: every action with its inputs "
                + "(type, required or default, pattern, length) and outputs."})
final class AgentsCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "AGENT", description = "an agent, e.g. package")
    private String agent;
    @Spec
    private CommandSpec spec;
    private final PrintStream out;

    AgentsCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        out.print(agent == null ? CatalogText.summary(Catalogs.builtIn()) : CatalogText.render(catalog(agent, spec)));
        out.flush();
        return ExitCodes.OK;
    }

    /** The catalog of {@code agent}, or a usage error listing the known agents. */
    static AgentCatalog catalog(String agent, CommandSpec spec) {
        return Catalogs.find(agent).orElseThrow(() -> new ParameterException(spec.commandLine(), "no catalog for agent '"
                + io.drover.protocol.Names.printable(agent) + "' (known: " + Catalogs.builtIn().stream().map(AgentCatalog::name)
                .collect(Collectors.joining(", ")) + "); a plugin only the nodes have is described by its author"));
    }
}
