package io.drover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.drover.catalog.Catalogs;
import io.drover.client.Call;
import io.drover.client.DroverClient;

import java.io.PrintStream;
import java.util.List;
import java.util.SortedSet;

/**
 * {@code drover rpc AGENT ACTION [key=value | key:=JSON]... [FILTERS]}: discover, then call the action on every
 * host. {@code key=value} passes a string; {@code key:=json} a typed value ({@code force:=true}, {@code count:=3}).
 */
final class RpcCommand extends FleetCommand {
    RpcCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    String name() {
        return "rpc";
    }

    @Override
    String usage() {
        return "Usage: drover rpc AGENT ACTION [key=value | key:=json]... [OPTIONS]\n";
    }

    @Override
    int run(DroverClient client, List<String> positionals) throws Exception {
        if (positionals.size() < 2) {
            throw new Arguments.UsageException("rpc needs an agent and an action");
        }
        Call call = Call.of(positionals.get(0), positionals.get(1));
        for (String param : positionals.subList(2, positionals.size())) {
            int typed = param.indexOf(":=");
            int plain = param.indexOf('=');
            if (typed > 0 && typed < plain) {
                try {
                    call = call.param(param.substring(0, typed), JSON.readValue(param.substring(typed + 2), Object.class));
                } catch (JsonProcessingException e) {
                    throw new Arguments.UsageException("'" + param + "': the value after := must be JSON (true, 3, \"text\")");
                }
            } else if (plain > 0) {
                call = call.param(param.substring(0, plain), param.substring(plain + 1));
            } else {
                throw new Arguments.UsageException("'" + param + "' is not key=value or key:=json");
            }
        }
        // Bad input of a built-in agent is refused before discovery, in the words the nodes would reply.
        Catalogs.validate(call.agent(), call.action(), call.params());
        SortedSet<String> hosts = discover(client);
        return hosts == null ? 1 : report(call(client, call.to(hosts)));
    }
}
