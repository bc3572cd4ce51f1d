package io.drover.report;

import io.drover.client.CallResult;
import io.drover.client.Discovery;
import io.drover.filter.Filter;
import io.drover.protocol.Reply;
import io.drover.protocol.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A rolling deploy over any number of hosts, made through the same calls the steps make (discovery, one call per step and
 * batch, the recap's lines), without a fleet: for the report's size and render time at 5,000 hosts, and for its tests. The
 * third batch halts the rollout at the update: some hosts fail, some refuse, some never answer; later batches never start.
 * Deterministic (a fixed seed), with a few slow hosts in every call.
 */
final class SyntheticRun {
    static final List<String> STEPS = List.of("Given the load balancer has ip address 192.168.1.1",
            "And I want to pre-discover how many hosts to update", "And I update hosts in batches of 1, 5 and 25%",
            "When I block the load balancer", "Then traffic from the load balancer should be blocked", "When I update the package mywebapp",
            "Then the package version for mywebapp should be 4.2.6-3.el5", "When I unblock the load balancer",
            "Then traffic from the load balancer should be unblocked");
    /** The steps that call hosts, by index in {@link #STEPS}, and their actions. */
    private static final Map<Integer, String> ACTIONS = Map.of(3, "firewall.block", 4, "firewall.is_blocked", 5, "package.update",
            6, "package.status", 7, "firewall.unblock", 8, "firewall.is_blocked");
    private static final int UPDATE = 5;
    static final String HOSTILE = "</script><script>window.droverPwned=1</script><img src=x onerror=\"window.droverPwned=2\">& \u2028";

    private SyntheticRun() {
    }

    static String host(int i) {
        String[] countries = {"de", "fr", "us"};
        return String.format("web%04d.%s.example.com", i, countries[i % 3]);
    }

    /** The scenario of a rolling deploy over {@code hosts} hosts, ended, with a hostile message from one failed host. */
    static ScenarioRecord of(int hosts) {
        Random random = new Random(42);
        List<String> all = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) {
            all.add(host(i));
        }
        ScenarioRecord record = new ScenarioRecord("Roll the website out to " + hosts + " hosts", "features/rolling.feature", 12, STEPS, false);
        for (int i = 0; i < 3; i++) {
            record.stepStarted(i);
        }
        SortedMap<String, Map<String, Object>> facts = new TreeMap<>();
        for (int i = 0; i < all.size(); i++) {
            facts.put(all.get(i), Map.of("country", new String[]{"de", "fr", "us"}[(i + 1) % 3], "environment", "production",
                    "os", Map.of("family", i % 4 == 0 ? "Debian" : "RedHat")));
        }
        record.discovery(new Discovery(Filter.all(), new TreeSet<>(all), new TreeMap<>(), Duration.ofMillis(40 + hosts / 50),
                Discovery.Ended.ALL_EXPECTED, Duration.ofMillis(30), Duration.ofMillis(2), Duration.ofMillis(30), Duration.ofMillis(3),
                "the fleet registry", new TreeMap<>(), new TreeSet<>(), facts));
        // Batches of 1, 5 and 25%, as BatchSizes cuts them: then 25% until none is left.
        List<List<String>> batches = new ArrayList<>();
        int at = 0;
        int quarter = Math.max(1, (int) Math.ceil(hosts * 0.25));
        for (int size : new int[]{1, 5}) {
            batches.add(all.subList(at, Math.min(hosts, at + size)));
            at = Math.min(hosts, at + size);
        }
        while (at < hosts) {
            batches.add(all.subList(at, Math.min(hosts, at + quarter)));
            at = Math.min(hosts, at + quarter);
        }
        for (int b = 0; b < batches.size(); b++) {
            record.batch((b + 1) + " of " + batches.size(), batches.get(b));
        }
        SortedMap<String, String> failedAt = new TreeMap<>();
        SortedMap<String, String> failure = new TreeMap<>();
        SortedSet<String> changed = new TreeSet<>();
        SortedMap<String, String> lastStep = new TreeMap<>();
        boolean halted = false;
        for (int b = 0; b < batches.size() && !halted; b++) {
            String label = (b + 1) + " of " + batches.size();
            List<String> batch = batches.get(b);
            for (int s = 3; s < STEPS.size() && !halted; s++) {
                String[] action = ACTIONS.get(s).split("\\.");
                SortedMap<String, Reply> replies = new TreeMap<>();
                SortedMap<String, String> missing = new TreeMap<>();
                SortedMap<String, Duration> answeredAt = new TreeMap<>();
                SortedSet<String> targets = new TreeSet<>();
                for (String host : batch) {
                    if (failedAt.containsKey(host)) {
                        continue;
                    }
                    targets.add(host);
                    int index = all.indexOf(host);
                    boolean breaks = b == 2 && s == UPDATE;
                    double ms = 4 + Math.abs(random.nextGaussian()) * 6 + (random.nextInt(200) == 0 ? 900 + random.nextInt(2000) : 0);
                    if (breaks && index % 97 == 0) {
                        missing.put(host, CallResult.NO_REPLY_WITHIN + "60 s");
                        continue;
                    }
                    Status status = Status.OK;
                    String message = action[1].equals("update") ? "updated mywebapp from 4.2.6-2.el5 to 4.2.6-3.el5" : "blocked 192.168.1.1";
                    Map<String, Object> data = Map.of("changed", s == 3 || s == 5 || s == 7);
                    if (breaks && index % 41 == 0) {
                        status = Status.ABORTED;
                        message = index % 2 == 0 ? "refused: request expired 3 s ago (clock skew?)"
                                : "E: Sub-process /usr/bin/dpkg returned an error code (1)";
                    }
                    if (breaks && host.equals(firstBroken(all, batch))) {
                        status = Status.ABORTED;
                        message = HOSTILE;
                    }
                    replies.put(host, new Reply("req-" + b + "-" + s, host, action[0], action[1], status, message, data, (long) (ms / 3)));
                    answeredAt.put(host, Duration.ofNanos((long) (ms * 1_000_000)));
                }
                targets.addAll(missing.keySet());
                CallResult result = new CallResult("req-" + b + "-" + s, action[0], action[1], targets, replies, missing, new TreeMap<>(), 0,
                        Duration.ofMillis(missing.isEmpty() ? 40 : 60_000), List.of(), 0, answeredAt);
                HostTable table = HostTable.of(result);
                SortedSet<String> skipped = new TreeSet<>(batch);
                skipped.removeAll(targets);
                record.call(s, STEPS.get(s), label, System.nanoTime(), result, table, skipped);
                for (HostTable.Row row : table.rows()) {
                    lastStep.put(row.host(), STEPS.get(s));
                    if (!row.ok()) {
                        failedAt.put(row.host(), STEPS.get(s));
                        failure.put(row.host(), row.result() + ": " + row.message());
                    } else if (row.changed().equals("true")) {
                        changed.add(row.host());
                    }
                }
                long failedInBatch = batch.stream().filter(failedAt::containsKey).count();
                halted = failedInBatch > Math.max(1, batch.size() / 100);
            }
        }
        // Cucumber then reaches the steps the batch step ran, up to the one that halted the rollout.
        for (int i = 3; i < STEPS.size() && (i <= UPDATE || failedAt.isEmpty()); i++) {
            record.stepStarted(i);
        }
        List<ScenarioRecord.HostLine> lines = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            for (String host : batches.get(b)) {
                String outcome = failedAt.containsKey(host) ? "failed" : !lastStep.containsKey(host) ? "never started"
                        : changed.contains(host) ? "changed" : "OK";
                lines.add(record.host(host, (b + 1) + " of " + batches.size(), lastStep.getOrDefault(host, "-"), outcome,
                        failure.getOrDefault(host, "")));
            }
        }
        record.end(failedAt.isEmpty() ? "passed" : "failed", lines,
                failedAt.isEmpty() ? null : "./mvnw verify -Dcucumber.features=features/rolling.feature -Ddrover.hosts=@target/drover-rerun.txt");
        return record;
    }

    /** The host of {@code batch} whose message is hostile: its first one that fails anyway. */
    private static String firstBroken(List<String> all, List<String> batch) {
        for (String host : batch) {
            if (all.indexOf(host) % 41 == 0) {
                return host;
            }
        }
        return batch.get(0);
    }
}
