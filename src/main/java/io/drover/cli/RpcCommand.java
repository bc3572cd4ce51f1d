package io.drover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.drover.catalog.CatalogText;
import io.drover.catalog.Catalogs;
import io.drover.client.Call;
import io.drover.client.DroverClient;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.stream.Collectors;

/**
 * {@code drover rpc AGENT ACTION [key=value | key:=JSON]... [FILTERS]}: discover, then call the action on every
 * host. {@code key=value} passes a string; {@code key:=json} a typed value ({@code force:=true}, {@code count:=3}).
 */
@Command(name = "rpc", description = {"Run an action on every host matching the filters.",
        "key=value passes a string, key:=json a typed value (force:=true, count:=3)."})
final class RpcCommand extends FleetCommand {
    @Parameters(index = "0", paramLabel = "AGENT", description = "the agent, e.g. package")
    private String agent;
    @Parameters(index = "1", paramLabel = "ACTION", description = "its action, e.g. install")
    private String action;
    @Parameters(index = "2..*", paramLabel = "PARAM", description = "key=value or key:=json")
    private List<String> params = new ArrayList<>();
    @Option(names = "--dry-run", description = {"ask every host what the action would do, changing nothing (the request is "
            + "marked and signed as a dry run; agents too old to know dry runs refuse it). Default: DROVER_DRY_RUN / -Ddrover.dry-run"})
    private boolean dryRun;
    private Call call;
    private static final String CATALOG_SECTION = "drover-catalog";

    RpcCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    void validate() {
        Call call = Call.of(agent, action);
        for (String param : params) {
            int typed = param.indexOf(":=");
            int plain = param.indexOf('=');
            if (typed > 0 && typed < plain) {
                try {
                    call = call.param(param.substring(0, typed), JSON.readValue(param.substring(typed + 2), Object.class));
                } catch (JsonProcessingException e) {
                    throw usage("'" + param + "': the value after := must be JSON (true, 3, \"text\")");
                }
            } else if (plain > 0) {
                call = call.param(param.substring(0, plain), param.substring(plain + 1));
            } else {
                throw usage("'" + param + "' is not key=value or key:=json");
            }
        }
        options.dryRun(dryRun);
        // Bad input of a built-in agent is refused before connecting, in the words the nodes would reply (exit 2).
        Catalogs.validate(call.agent(), call.action(), call.params());
        this.call = call;
    }

    /**
     * Ends {@code drover rpc --help} with the agents and their actions, and {@code drover rpc --help AGENT} with that
     * agent's catalog: its actions, inputs and outputs.
     */
    void describeAgents(CommandLine rpc) {
        rpc.getHelpSectionMap().put(CATALOG_SECTION, help -> catalogHelp());
        List<String> sections = new ArrayList<>(rpc.getHelpSectionKeys());
        sections.add(CATALOG_SECTION);
        rpc.setHelpSectionKeys(sections);
    }

    private String catalogHelp() {
        if (agent == null) {
            return String.format("%nAgents (drover rpc --help AGENT, or drover agents AGENT, for one):%n")
                    + CatalogText.summary(Catalogs.builtIn());
        }
        return String.format("%n") + Catalogs.find(agent).map(CatalogText::render).orElse(String.format(
                "No catalog for agent '%s' here: a plugin only the nodes have is described by its author.%nAgents: %s%n",
                io.drover.protocol.Names.printable(agent), Catalogs.builtIn().stream().map(c -> c.name()).collect(Collectors.joining(", "))));
    }

    @Override
    int run(DroverClient client) throws Exception {
        SortedSet<String> hosts = discover(client);
        return hosts == null ? ExitCodes.HOSTS_FAILED : report(call(client, call.to(hosts)));
    }
}
