package io.drover.steps;

import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.protocol.Reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the When steps of a dry run predicted, per host, so that the Then steps after them check the predicted state
 * rather than the real one, which a dry run left as it was. A When step's dry-run replies carry the state the action
 * would leave (e.g. {@code package.update} says {@code version: 4.2.6-3.el5}); a Then step's query is answered from the
 * latest prediction of the same agent whose params include the query's (a {@code package.status} of {@code mywebapp}
 * from the {@code update} or {@code install} of {@code mywebapp}, a {@code firewall.is_blocked} of an address from its
 * {@code block} or {@code unblock}). Hosts that prediction has no OK answer for, and queries nothing predicted (an nrpe
 * check), are asked for real: read-only actions run as usual in a dry run, and there the current state is the
 * prediction.
 */
final class DryRun {
    /** What every step summary, table and recap of a dry run starts with. */
    static final String LABEL = "DRY RUN";

    /** One When step's predictions: its call and each host's OK dry-run reply. */
    record Prediction(String agent, Map<String, Object> params, String step, SortedMap<String, Reply> replies) {
        /** Whether this prediction answers {@code query}: same agent, and every param of the query with the same value. */
        boolean answers(Call query) {
            if (!agent.equals(query.agent())) {
                return false;
            }
            for (Map.Entry<String, Object> param : query.params().entrySet()) {
                if (!params.containsKey(param.getKey()) || !Objects.equals(params.get(param.getKey()), param.getValue())) {
                    return false;
                }
            }
            return true;
        }

        /** The predicted answers to {@code query} of the {@code targets} this prediction covers. */
        SortedMap<String, Reply> answersFor(Call query, SortedSet<String> targets) {
            SortedMap<String, Reply> answers = new TreeMap<>();
            for (String host : targets) {
                Reply predicted = replies.get(host);
                if (predicted != null) {
                    answers.put(host, new Reply(predicted.requestId(), host, query.agent(), query.action(), predicted.status(),
                            "predicted by '" + step + "': " + predicted.message(), predicted.data(), 0));
                }
            }
            return answers;
        }
    }

    private final List<Prediction> predictions = new ArrayList<>();

    /** Keeps what a When step's dry run predicted for each host that answered OK. */
    synchronized void predicted(Call call, String step, CallResult result) {
        SortedMap<String, Reply> ok = new TreeMap<>();
        result.replies().forEach((host, reply) -> {
            // Only a node's own dry-run answer is a prediction; anything else would be taken for the real state.
            if (reply.isOk() && reply.dryRun()) {
                ok.put(host, reply);
            }
        });
        predictions.add(new Prediction(call.agent(), java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(call.params())), step, ok));
    }

    /** The latest prediction answering {@code query}, or null when no When step predicted it. */
    synchronized Prediction latest(Call query) {
        for (int i = predictions.size() - 1; i >= 0; i--) {
            if (predictions.get(i).answers(query)) {
                return predictions.get(i);
            }
        }
        return null;
    }

    /** The hosts a dry run says the action would change. */
    static SortedSet<String> wouldChange(CallResult result) {
        SortedSet<String> hosts = new TreeSet<>();
        result.replies().forEach((host, reply) -> {
            if (reply.isOk() && reply.wouldChange()) {
                hosts.add(host);
            }
        });
        return hosts;
    }
}
