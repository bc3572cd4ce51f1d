package io.drover.cli;

import io.drover.agent.AgentMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code drover agent ARGS}: the node agent, as {@code java -jar drover-agent.jar ARGS}. Its arguments go to the
 * agent's own parser unchanged, so both jars take the same ones; the slim agent jar carries no picocli.
 */
@Command(name = "agent", description = {"Run the node agent (same as java -jar drover-agent.jar).",
        "Takes the agent's arguments: --config FILE, --identity NAME, --check, --version; 'drover agent --help' explains them."})
final class AgentCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ARG", description = "the agent's arguments")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return AgentMain.run(args.toArray(String[]::new));
    }
}
