package io.drover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.drover.client.Call;
import io.drover.client.CallResult;
import io.drover.client.ClientOptions;
import io.drover.client.RegistryOptions;
import io.drover.client.Discovery;
import io.drover.client.DroverClient;
import io.drover.filter.Filter;
import io.drover.runner.DroverSession;
import io.drover.runner.RunnerConfig;
import io.drover.security.KeyFiles;
import io.drover.security.ReplyVerifier;
import io.drover.security.RequestSigner;
import io.drover.testing.FeatureRun;
import io.drover.testing.RabbitNode;
import io.drover.transport.BrokerConnector;
import io.drover.transport.Topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark: for each broker and fleet size, the raw AMQP floor (a broadcast N plain consumers answer) and,
 * side by side in the same run, Drover's discovery, directed call and seed scenario over N emulated nodes, with
 * the ratios to the floor; plus the emulator's memory and a single agent's start-up and footprint. Prints a
 * table and writes JSON under {@code target/bench/}. Run with {@code ./mvnw -Pbench verify}.
 *
 * <p>Settings (system properties): {@code bench.brokers} (rabbitmq,embedded), {@code bench.sizes}
 * (100,1000,5000; 20000 only when asked), {@code bench.rounds} (10), {@code bench.warmup} (3), {@code bench.rabbitmq}
 * (DROVER_IT_AMQP_URI or amqp://guest:guest@127.0.0.1:5672; {@code own}: a RabbitMQ node of the benchmark's own,
 * {@link RabbitNode}, whose memory, file descriptors, connections, channels and queues are then reported per size),
 * {@code bench.seed.max-nodes} (run the seed scenarios only up to this size), {@code bench.restart} (with an own node: restart it with the fleet attached and time until every node serves again).
 */
public final class BenchMain {
    /** Discovery plus six directed calls. */
    static final int SEED_ROUND_TRIPS = 7;
    /** The batch size of the seed in batches: {@code And I update hosts in batches of 10%}. */
    static final int BATCH_PERCENT = 10;
    /** Largest fleet the seed scenarios run on ({@code bench.seed.max-nodes}): their deploy lock alone takes minutes at 20,000. */
    static final int SEED_MAX_NODES = Integer.getInteger("bench.seed.max-nodes", Integer.MAX_VALUE);
    static final List<String> EMULATOR_JVM = List.of(System.getProperty("bench.emulator.jvm", "-Xms64m -Xmx1g -XX:+UseG1GC").split(" "));
    static final List<String> AGENT_JVM = List.of("-Xmx32m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=48m");
    private static final Pattern HEAP = Pattern.compile("heap in use (\\d+) KB, (-?\\d+) bytes per node");

    private final Path out = Path.of("target/bench");
    private final int rounds = Integer.getInteger("bench.rounds", 10);
    private final int warmup = Integer.getInteger("bench.warmup", 3);
    private final Path keys;
    private final RequestSigner signer;
    /** Enrols the emulated nodes and the single agent; the clients check every reply against it, as a production runner does. */
    private final io.drover.testing.TestIssuer issuer = io.drover.testing.TestIssuer.create("bench-issuer");
    private final ReplyVerifier replyVerifier = issuer.verifier();
    private final List<Map<String, Object>> results = new ArrayList<>();
    private final StringBuilder table = new StringBuilder();
    /** The benchmark's own RabbitMQ node ({@code -Dbench.rabbitmq=own}), or {@code null} for a broker shared with others. */
    private RabbitNode ownBroker;

    private BenchMain() throws Exception {
        keys = Files.createTempDirectory("drover-bench-keys");
        KeyFiles.create(keys, "bench");
        signer = RequestSigner.load(keys.resolve("bench.key"));
        KeyFiles.writePrivate(keys.resolve("bench-issuer.key"), issuer.keys().getPrivate());
    }

    public static void main(String[] args) throws Exception {
        BenchMain bench = new BenchMain();
        String rabbit = System.getProperty("bench.rabbitmq", "");
        if (rabbit.isBlank()) {
            rabbit = System.getenv().getOrDefault("DROVER_IT_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672");
        }
        List<Integer> sizes = new ArrayList<>();
        for (String size : System.getProperty("bench.sizes", "100,1000,5000").split(",")) {
            sizes.add(Integer.parseInt(size.trim()));
        }
        if (rabbit.equals("own")) {
            // Figures of a broker nobody else uses: its memory and connections are the fleet's alone.
            bench.ownBroker = RabbitNode.start("bench");
            rabbit = bench.ownBroker.amqpUri();
        }
        try {
            bench.header();
            bench.singleAgent(rabbit);
            for (String broker : System.getProperty("bench.brokers", "rabbitmq,embedded").split(",")) {
                for (int n : broker.isBlank() ? List.<Integer>of() : sizes) {
                    bench.size(broker.trim(), rabbit, n);
                }
            }
            bench.write();
        } finally {
            if (bench.ownBroker != null) {
                bench.ownBroker.close();
            }
        }
        System.exit(0);
    }

    private void header() {
        table.append(String.format("%-9s %6s  %-34s %10s %10s %10s %8s%n", "broker", "N", "measure", "median ms", "min ms", "max ms",
                "ratio"));
    }

    private void row(String broker, int n, String measure, Stats stats, Double ratio, Map<String, Object> extra) {
        String line = String.format("%-9s %6d  %-34s %10.1f %10.1f %10.1f %8s", broker, n, measure, stats.median(), stats.min(),
                stats.max(), ratio == null ? "" : String.format("%.2f", ratio));
        table.append(line).append('\n');
        System.out.println(line);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("broker", broker);
        json.put("nodes", n);
        json.put("measure", measure);
        json.put("median_ms", stats.median());
        json.put("min_ms", stats.min());
        json.put("max_ms", stats.max());
        json.put("rounds", stats.rounds());
        json.put("ratio", ratio);
        json.putAll(extra);
        results.add(json);
    }

    private void note(String broker, int n, String measure, String value, Map<String, Object> extra) {
        String line = String.format("%-9s %6d  %-34s %s", broker, n, measure, value);
        table.append(line).append('\n');
        System.out.println(line);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("broker", broker);
        json.put("nodes", n);
        json.put("measure", measure);
        json.putAll(extra);
        results.add(json);
    }

    /** A broker for one phase: RabbitMQ as it is, or a fresh embedded broker process (Qpid deletes queues slowly). */
    private interface Phase {
        void run(String uri) throws Exception;
    }

    private void withBroker(String broker, String rabbit, String name, Phase phase) throws Exception {
        if (broker.equals("rabbitmq")) {
            phase.run(rabbit);
            return;
        }
        try (Child qpid = Child.java(out.resolve("logs/" + name + "-broker.log"), List.of("-Xmx512m", "-XX:MaxDirectMemorySize=256m"),
                EmbeddedBrokerMain.class.getName())) {
            String ready = qpid.await("READY ", Duration.ofSeconds(60));
            phase.run("amqp://guest:guest@127.0.0.1:" + ready.substring(ready.indexOf("READY ") + 6).trim());
        }
    }

    private void size(String broker, String rabbit, int n) throws Exception {
        String name = broker + "-" + n;
        double[] floor = new double[2];
        int batch = batchSize(n);
        withBroker(broker, rabbit, name + "-floor", uri -> {
            floor[0] = floor(broker, uri, n, name, "raw AMQP floor (broadcast -> last)");
            // The floor of one batch, for the seed in batches: its hosts answer a broadcast of their own.
            floor[1] = floor(broker, uri, batch, name + "-batch", "raw AMQP floor, one batch of " + batch);
        });
        withBroker(broker, rabbit, name + "-drover", uri -> drover(broker, uri, n, name, floor[0], floor[1]));
    }

    /** The size of a batch of {@link #BATCH_PERCENT} of {@code n} hosts, rounded up as Drover cuts them. */
    static int batchSize(int n) {
        return (int) (((long) n * BATCH_PERCENT + 99) / 100);
    }

    /**
     * Waits (up to five minutes) until the benchmark's own broker has deleted the queues of the previous phase: with
     * 20,000 of them it is busy for minutes, and connections opened meanwhile time out in their handshake.
     */
    private void awaitBrokerSettled() throws InterruptedException {
        if (ownBroker == null) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (lines(ownBroker.ctl("list_queues", "--no-table-headers", "name")) < 500) {
                    return;
                }
            } catch (IllegalStateException e) {
                // rabbitmqctl timed out: the broker is busy
            }
            Thread.sleep(2_000);
        }
    }

    /** Publish to N plain consumers, wait for the last reply. */
    private double floor(String broker, String uri, int n, String name, String measure) throws Exception {
        awaitBrokerSettled();
        String exchange = "raw-" + UUID.randomUUID().toString().substring(0, 8);
        try (Child responders = Child.java(out.resolve("logs/" + name + "-raw.log"), EMULATOR_JVM, RawResponders.class.getName(),
                uri, String.valueOf(n), exchange)) {
            responders.await("READY", Duration.ofMinutes(5));
            BrokerConnector connector = BrokerConnector.of(uri);
            try (Connection connection = connector.connect("bench floor"); Channel channel = connection.createChannel()) {
                String replies = channel.queueDeclare().getQueue();
                Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
                channel.basicConsume(replies, true, "bench-floor", (tag, delivery) -> {
                    CountDownLatch latch = waiting.get(delivery.getProperties().getCorrelationId());
                    if (latch != null) {
                        latch.countDown();
                    }
                }, tag -> { });
                List<Long> times = new ArrayList<>();
                long lost = 0;
                for (int round = 0; round < warmup + rounds; round++) {
                    String id = "r" + round;
                    CountDownLatch latch = new CountDownLatch(n);
                    waiting.put(id, latch);
                    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().replyTo(replies).correlationId(id).build();
                    long start = System.nanoTime();
                    channel.basicPublish(exchange, "ping", props, "ping".getBytes(StandardCharsets.UTF_8));
                    boolean all = latch.await(60, TimeUnit.SECONDS);
                    long elapsed = System.nanoTime() - start;
                    waiting.remove(id);
                    if (round >= warmup) {
                        times.add(elapsed);
                        lost += latch.getCount();
                    }
                    if (!all) {
                        System.out.println("floor round " + round + ": " + latch.getCount() + " replies missing");
                    }
                    Thread.sleep(50);
                }
                Stats stats = Stats.of(times);
                row(broker, n, measure, stats, 1.0, Map.of("lost_replies", lost));
                return stats.median();
            }
        }
    }

    private void drover(String broker, String uri, int n, String name, double floor, double batchFloor) throws Exception {
        String collective = "bench-" + n + "-" + UUID.randomUUID().toString().substring(0, 6);
        awaitBrokerSettled();
        try (Child emulator = Child.java(out.resolve("logs/" + name + "-emulator.log"), EMULATOR_JVM, "io.drover.cli.Main",
                "emulate", "--nodes", String.valueOf(n), "--broker", uri, "--fleet", "sandbox/bench.yaml", "--collective", collective,
                "--trust", keys.toString(), "--issuer", keys.resolve("bench-issuer.key").toString())) {
            String ready = emulator.await(" nodes ready in ", Duration.ofMinutes(10));
            Matcher heap = HEAP.matcher(ready);
            long rss = emulator.rssKb();
            if (heap.find()) {
                long perNode = Long.parseLong(heap.group(2));
                note(broker, n, "emulator memory", String.format("%d bytes heap per node, heap %d MB, RSS %d MB (%s)", perNode,
                        Long.parseLong(heap.group(1)) / 1024, rss / 1024, String.join(" ", EMULATOR_JVM)),
                        Map.of("heap_bytes_per_node", perNode, "rss_kb", rss, "jvm", EMULATOR_JVM));
            }
            String startup = ready.replaceAll(".* nodes ready in (\\d+) ms.*", "$1");
            note(broker, n, "emulator start (declare, bind, consume)", startup + " ms for " + n + " nodes",
                    Map.of("startup_ms", Long.parseLong(startup)));
            if (broker.equals("rabbitmq")) {
                brokerFootprint(n, "broker with the fleet attached");
            }
            BrokerConnector connector = BrokerConnector.of(uri);
            // The cap only ends a discovery that failed: at 20,000 nodes on a loaded 2-core machine the broker's fan-out
            // alone took 12 to 21 s (the raw floor), so the default 2 s would count a slow broker as lost replies.
            Duration cap = Duration.ofMillis(Math.max(2_000, n * 3L));
            Set<String> discovered = new java.util.TreeSet<>();
            try (DroverClient client = DroverClient.connect(connector, ClientOptions.defaults().withCollective(collective)
                    .withSigner(signer).withReplyVerifier(replyVerifier).withCallTimeout(Duration.ofSeconds(120)).withDiscoveryTimeout(cap))) {
                // A client's first discovery reads the registry whole (and starts its live view); the rows below, the
                // later ones, use the view. Reported on a row of its own rather than hidden in the warmup.
                Discovery first = client.discover(Filter.all());
                note(broker, n, "discovery, all (registry, first: full read)", String.format("%.1f ms, %d of %d found (one sample)",
                        first.elapsed().toNanos() / 1e6, first.size(), n), Map.of("first_ms", first.elapsed().toNanos() / 1e6,
                        "found", first.size(), "expected", n));
                measureDiscovery(broker, n, client, Filter.all(), n, "discovery, all (registry)", floor);
                measureDiscovery(broker, n, client, Filter.parse("rack=r1"), n / 10, "discovery, rack=r1 (10 %, registry)", floor);
                try (DroverClient broadcast = DroverClient.connect(connector, client.options().withRegistry(RegistryOptions.off()))) {
                    measureDiscovery(broker, n, broadcast, Filter.all(), n, "discovery, all (broadcast only)", floor);
                }
                Discovery all = client.discover(Filter.all());
                discovered.addAll(all.identities());
                List<Long> times = new ArrayList<>();
                long lost = 0;
                for (int round = 0; round < warmup + rounds; round++) {
                    CallResult result = client.call(Call.of("rpcutil", "ping").to(all.identities()));
                    if (round >= warmup) {
                        times.add(result.elapsed().toNanos());
                        lost += result.missing().size() + result.failures().size();
                    }
                }
                Stats directed = Stats.of(times);
                row(broker, n, "directed rpcutil.ping to all", directed, directed.median() / floor, Map.of("lost_replies", lost));
                if (n <= SEED_MAX_NODES) {
                    seed(broker, n, client, floor);
                    seedInBatches(broker, n, client, batchFloor);
                }
                if (broker.equals("rabbitmq") && ownBroker != null && Boolean.getBoolean("bench.restart")) {
                    restartBroker(n, client);
                }
            } finally {
                // A failed cleanup must not hide why the measurement failed (at 20,000 nodes both timed out connecting).
                try (Connection connection = connector.connect("bench cleanup"); Channel channel = connection.createChannel()) {
                    Topology.deleteExchanges(channel, collective);
                    Topology.deleteRegistry(channel, collective);
                    // The seeds' deploy locks are durable queues kept a day for the next deploy: not on a shared broker.
                    new io.drover.lock.DeployLocks(connector, collective).forget(discovered);
                } catch (IOException | java.util.concurrent.TimeoutException e) {
                    System.out.println("cleanup of collective " + collective + " failed: " + e);
                }
            }
        }
    }

    /**
     * What the benchmark's own broker holds: RSS of its Erlang VM, Erlang's own count of its memory, open file
     * descriptors, connections, channels and queues. Nothing on a shared broker, whose figures mix other users'.
     */
    private void brokerFootprint(int n, String measure) throws IOException {
        if (ownBroker == null) {
            return;
        }
        long pid = ownBroker.osPid();
        long rssKb = 0;
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        long fds;
        try (var list = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            fds = list.count();
        }
        long erlangBytes = Long.parseLong(ownBroker.ctl("eval", "erlang:memory(total).").strip());
        long connections = lines(ownBroker.ctl("list_connections", "--no-table-headers", "name"));
        long channels = lines(ownBroker.ctl("list_channels", "--no-table-headers", "name"));
        long queues = lines(ownBroker.ctl("list_queues", "--no-table-headers", "name"));
        long processes = Long.parseLong(ownBroker.ctl("eval", "erlang:system_info(process_count).").strip());
        note("rabbitmq", n, measure, String.format("RSS %d MB, Erlang memory %d MB, %d fds, %d connections, %d channels, %d queues, "
                        + "%d Erlang processes (load %s)", rssKb / 1024, erlangBytes / (1024 * 1024), fds, connections, channels, queues,
                processes, load()),
                Map.of("broker_rss_kb", rssKb, "broker_erlang_bytes", erlangBytes, "broker_fds", fds, "broker_connections", connections,
                        "broker_channels", channels, "broker_queues", queues, "broker_processes", processes));
    }

    private static long lines(String output) {
        return output.lines().filter(l -> !l.isBlank()).count();
    }

    /** The machine's load averages, to read a figure against. */
    static String load() throws IOException {
        String[] avg = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return avg[0] + " " + avg[1] + " " + avg[2];
    }

    /**
     * Restarts the benchmark's own broker with the emulated fleet and the client attached, and times: the stop, the
     * start until it accepts connections, and from then until a discovery (fleet registry on) finds all N nodes and
     * a directed ping reaches all of them: the nodes reconnect, declare their queues again and register again.
     */
    private void restartBroker(int n, DroverClient client) throws Exception {
        long t0 = System.nanoTime();
        ownBroker.stop();
        long stopped = System.nanoTime();
        ownBroker.restart();
        long up = System.nanoTime();
        Discovery found = null;
        long deadline = up + Duration.ofMinutes(10).toNanos();
        int attempts = 0;
        while (System.nanoTime() < deadline) {
            attempts++;
            try {
                found = client.discover(Filter.all());
                if (found.size() == n) {
                    break;
                }
            } catch (RuntimeException e) {
                // the client or the registry's reader is still reconnecting
            }
            Thread.sleep(500);
        }
        long discovered = System.nanoTime();
        CallResult ping = found == null ? null : client.call(Call.of("rpcutil", "ping").to(found.identities()));
        long pinged = System.nanoTime();
        int answered = ping == null ? 0 : ping.replies().size() - ping.failures().size();
        note("rabbitmq", n, "broker restart -> all serving", String.format("stop %.1f s, start %.1f s, then all %d of %d discovered "
                        + "after %.1f s (%d attempts) and pinged (%d OK) in %.1f s; load %s",
                (stopped - t0) / 1e9, (up - stopped) / 1e9, found == null ? 0 : found.size(), n, (discovered - up) / 1e9, attempts,
                answered, (pinged - discovered) / 1e9, load()),
                Map.of("stop_ms", (stopped - t0) / 1_000_000, "start_ms", (up - stopped) / 1_000_000,
                        "rediscovered_ms", (discovered - up) / 1_000_000, "discovered", found == null ? 0 : found.size(),
                        "ping_ok", answered));
        brokerFootprint(n, "broker after the restart");
    }

    private void measureDiscovery(String broker, int n, DroverClient client, Filter filter, int expected, String measure, double floor) {
        List<Long> times = new ArrayList<>();
        List<Long> lastReplies = new ArrayList<>();
        List<Long> windows = new ArrayList<>();
        List<Long> firsts = new ArrayList<>();
        List<Long> gaps = new ArrayList<>();
        long lost = 0;
        for (int round = 0; round < warmup + rounds; round++) {
            Discovery discovery = client.discover(filter);
            if (round >= warmup) {
                times.add(discovery.elapsed().toNanos());
                lastReplies.add(discovery.lastReply() == null ? 0 : discovery.lastReply().toNanos());
                windows.add(discovery.quietWindow().toNanos());
                firsts.add(discovery.firstReply() == null ? 0 : discovery.firstReply().toNanos());
                gaps.add(discovery.largestGap().toNanos());
                lost += expected - discovery.size();
            }
        }
        Stats stats = Stats.of(times);
        Stats last = Stats.of(lastReplies);
        Stats window = Stats.of(windows);
        row(broker, n, measure, stats, stats.median() / floor, Map.of("lost_replies", lost, "expected", expected,
                "last_reply_median_ms", last.median(), "quiet_window_median_ms", window.median()));
        note(broker, n, "  first, last reply / window / gap", String.format("%.1f, %.1f / %.1f / %.1f ms (medians)",
                Stats.of(firsts).median(), last.median(), window.median(), Stats.of(gaps).median()), Map.of());
    }

    private void seed(String broker, int n, DroverClient client, double floor) throws Exception {
        DroverSession session = DroverSession.of(RunnerConfig.fromEnvironment(), client, null);
        DroverSession previous = DroverSession.install(session);
        try {
            List<Long> times = new ArrayList<>();
            int failed = 0;
            for (int round = 0; round < warmup + rounds; round++) {
                FeatureRun run = FeatureRun.of(Path.of("features/deploy.feature"), out.resolve("seed"), broker + "-" + n + "-" + round, false);
                if (run.passedScenarios() != 1) {
                    failed++;
                    System.out.println("seed round " + round + " failed: " + run.failureMessage().orElse(""));
                }
                if (round >= warmup) {
                    times.add(run.totalStepNanos());
                }
            }
            Stats stats = Stats.of(times);
            row(broker, n, "seed scenario (7 round trips)", stats, stats.median() / (SEED_ROUND_TRIPS * floor),
                    Map.of("failed_runs", failed, "round_trips", SEED_ROUND_TRIPS));
        } finally {
            DroverSession.install(previous);
        }
    }

    /**
     * The seed with {@code And I update hosts in batches of 10%} after its pre-discovery step, against the floor of its
     * round trips: (number of batches x 7 x the floor of one batch). The goal is a ratio of at most 1.5.
     */
    private void seedInBatches(String broker, int n, DroverClient client, double batchFloor) throws Exception {
        String seedText = Files.readString(Path.of("features/deploy.feature"));
        String preDiscover = "    And I want to pre-discover how many hosts to update\n";
        if (!seedText.contains(preDiscover)) {
            throw new IllegalStateException("features/deploy.feature has no pre-discovery step to add the batch step after");
        }
        Path feature = out.resolve("seed-batches.feature");
        Files.createDirectories(out);
        Files.writeString(feature, seedText.replace(preDiscover, preDiscover + "    And I update hosts in batches of " + BATCH_PERCENT + "%\n"));
        int batch = batchSize(n);
        int batches = (n + batch - 1) / batch;
        DroverSession session = DroverSession.of(RunnerConfig.fromEnvironment(), client, null);
        DroverSession previous = DroverSession.install(session);
        try {
            List<Long> times = new ArrayList<>();
            int failed = 0;
            for (int round = 0; round < warmup + rounds; round++) {
                FeatureRun run = FeatureRun.of(feature, out.resolve("seed-batches"), broker + "-" + n + "-" + round, false);
                if (run.passedScenarios() != 1) {
                    failed++;
                    System.out.println("seed in batches round " + round + " failed: " + run.failureMessage().orElse(""));
                }
                if (round >= warmup) {
                    times.add(run.totalStepNanos());
                }
            }
            Stats stats = Stats.of(times);
            row(broker, n, "seed in batches of " + BATCH_PERCENT + "% (" + batches + "x7)", stats,
                    stats.median() / (batches * SEED_ROUND_TRIPS * batchFloor),
                    Map.of("failed_runs", failed, "batches", batches, "batch_size", batch, "round_trips", batches * SEED_ROUND_TRIPS,
                            "batch_floor_ms", batchFloor));
        } finally {
            DroverSession.install(previous);
        }
    }

    /** A real agent process: time from start to ready, and memory after it answered. */
    private void singleAgent(String rabbit) throws Exception {
        Path dir = Files.createTempDirectory("drover-bench-agent");
        Files.createDirectories(dir.resolve("callers"));
        Files.copy(keys.resolve("bench.pub"), dir.resolve("callers/bench.pub"));
        issuer.enrolFiles("bench-agent.example.com", dir);
        Path config = Files.writeString(dir.resolve("agent.yaml"), String.join("\n", "identity: bench-agent.example.com",
                "collectives: [bench-agent]", "broker: " + rabbit, "security: {trusted_callers: callers}",
                "agents:", "  firewall: {provider: sandbox}", ""));
        List<Long> ready = new ArrayList<>();
        long rss = 0;
        for (int i = 0; i < 5; i++) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(AGENT_JVM);
            command.addAll(List.of("-jar", "target/drover-agent.jar", "--config", config.toString()));
            try (Child agent = Child.start(out.resolve("logs/agent-" + i + ".log"), command)) {
                agent.await(" ready in ", Duration.ofSeconds(30));
                ready.add(agent.sinceStart().toNanos());
                try (DroverClient client = DroverClient.connect(BrokerConnector.of(rabbit),
                        ClientOptions.defaults().withCollective("bench-agent").withSigner(signer).withReplyVerifier(replyVerifier))) {
                    for (int ping = 0; ping < 20; ping++) {
                        client.call(Call.of("rpcutil", "ping").to(Set.of("bench-agent.example.com")));
                    }
                }
                rss = Math.max(rss, agent.rssKb());
                if (i == 0) {
                    flood(rabbit);
                }
            }
        }
        Stats stats = Stats.of(ready);
        row("agent", 1, "process start -> ready", stats, null, Map.of("jvm", AGENT_JVM));
        note("agent", 1, "RSS after 20 pings", rss / 1024 + " MB (" + String.join(" ", AGENT_JVM) + ")", Map.of("rss_kb", rss));
    }

    /**
     * Issue 10: a signed directed ping to the single agent, alone (the floor) and right behind a flood of
     * {@code bench.flood} forged requests (a trusted caller's name, fresh, a well-formed but wrong signature: each
     * costs the agent a full signature check). Goal: answered within 1 s during the flood.
     */
    private void flood(String rabbit) throws Exception {
        int forged = Integer.getInteger("bench.flood", 10_000);
        String identity = "bench-agent.example.com";
        List<Long> alone = new ArrayList<>();
        List<Long> flooded = new ArrayList<>();
        byte[] badSignature = new byte[64];
        try (DroverClient client = DroverClient.connect(BrokerConnector.of(rabbit),
                ClientOptions.defaults().withCollective("bench-agent").withSigner(signer).withReplyVerifier(replyVerifier));
             Connection connection = BrokerConnector.of(rabbit).connect("drover bench flood");
             Channel channel = connection.createChannel()) {
            String replies = channel.queueDeclare().getQueue();
            channel.basicConsume(replies, true, (tag, delivery) -> { }, tag -> { });
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().replyTo(replies).build();
            Call ping = Call.of("rpcutil", "ping").to(Set.of(identity));
            for (int round = 0; round < warmup + rounds; round++) {
                long start = System.nanoTime();
                CallResult result = client.call(ping);
                if (round >= warmup && result.allOk()) {
                    alone.add(System.nanoTime() - start);
                }
            }
            for (int round = 0; round < Math.max(3, rounds / 2); round++) {
                for (int i = 0; i < forged; i++) {
                    java.util.concurrent.ThreadLocalRandom.current().nextBytes(badSignature);
                    io.drover.protocol.Request request = new io.drover.protocol.Request(UUID.randomUUID().toString(), "bench-agent",
                            i % 2 == 0 ? "firewall" : "rpcutil", i % 2 == 0 ? "block" : "ping",
                            i % 2 == 0 ? Map.of("address", "192.0.2.1") : Map.of(), null, List.of(identity), "bench",
                            System.currentTimeMillis(), 60, "ed25519:" + java.util.Base64.getEncoder().encodeToString(badSignature));
                    channel.basicPublish(Topology.directedExchange("bench-agent"), identity, props,
                            io.drover.protocol.JsonCodec.instance().encode(request));
                }
                long start = System.nanoTime();
                CallResult result = client.call(ping);
                long took = System.nanoTime() - start;
                if (!result.allOk()) {
                    System.out.println("flood round " + round + ": the ping was not answered OK: " + result);
                    took = Duration.ofSeconds(60).toNanos();
                }
                flooded.add(took);
                Thread.sleep(Duration.ofSeconds(5).toMillis()); // let the agent drain the flood before the next round
            }
        }
        Stats floor = Stats.of(alone);
        row("agent", 1, "signed directed ping (floor)", floor, 1.0, Map.of());
        Stats during = Stats.of(flooded);
        row("agent", 1, "ping behind " + forged + " forged requests", during, during.median() / floor.median(),
                Map.of("forged", forged, "goal_ms", 1000));
    }

    private void write() throws Exception {
        Files.createDirectories(out);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("time", Instant.now().toString());
        document.put("cores", Runtime.getRuntime().availableProcessors());
        document.put("java", System.getProperty("java.version"));
        document.put("rounds", rounds);
        document.put("warmup", warmup);
        document.put("results", results);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String stamp = Instant.now().toString().replace(":", "-");
        json.writeValue(out.resolve("bench-" + stamp + ".json").toFile(), document);
        json.writeValue(out.resolve("latest.json").toFile(), document);
        Files.writeString(out.resolve("latest.txt"), table.toString());
        System.out.println();
        System.out.print(table);
        System.out.println("written to " + out.resolve("latest.json"));
    }
}
