package io.meterlink.sim.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.StoredForm;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.runtime.StandardParts;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.pki.ClientTls;
import io.meterlink.sim.pki.TestPki;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Backlog drain benchmark (issue 2 §8): pre-fills a buffer file with N realistic heat-meter
 * readings, starts a local Mosquitto with mutual TLS, starts the real gateway ({@code meterlink.jar},
 * a child JVM, {@code -Xmx64m} by default) on that buffer with no sources, and measures the time
 * until every reading arrived at a subscriber and was acknowledged (buffer depth 0). Ends with one
 * JSON line on stdout; progress goes to stderr. Exit 0 when everything was delivered and the
 * gateway exited cleanly, 3 otherwise.
 */
@Command(name = "drain-benchmark", mixinStandardHelpOptions = true,
        description = "Time the drain of a pre-filled buffer backlog to a local Mosquitto over mutual TLS.")
public final class DrainBenchmark implements Callable<Integer> {
    private static final String GATEWAY_ID = "bench-gw";
    private static final String PREFIX = "meterlink/v1";

    @Option(names = "--readings", defaultValue = "1000000", description = "backlog size (default ${DEFAULT-VALUE})")
    long readings;
    @Option(names = "--meters", defaultValue = "2000", description = "distinct meters in the backlog (default ${DEFAULT-VALUE})")
    int meters;
    @Option(names = "--xmx", defaultValue = "64m", description = "the gateway's -Xmx (default ${DEFAULT-VALUE})")
    String xmx;
    @Option(names = "--batch-max-readings", description = "uplink.batch_max_readings (default: the gateway's)")
    Integer batchMaxReadings;
    @Option(names = "--batch-max-bytes", description = "uplink.batch_max_bytes, e.g. 512KiB (default: the gateway's)")
    String batchMaxBytes;
    @Option(names = "--payload", defaultValue = "json", description = "uplink.payload: json or compact (default ${DEFAULT-VALUE})")
    String payload;
    @Option(names = "--inflight-window", description = "uplink.inflight_window (default: the gateway's)")
    Integer inflightWindow;
    @Option(names = "--gateway-jar", description = "meterlink.jar (default: distribution/target/meterlink.jar here or one level up)")
    Path gatewayJar;
    @Option(names = "--gateway-jvm-arg", description = "an extra JVM option for the gateway (repeatable), e.g. for a profiler")
    List<String> gatewayJvmArgs = new ArrayList<>();
    @Option(names = "--broker-config", description = "a raw line appended to the Mosquitto configuration (repeatable), e.g. 'autosave_interval 60'")
    List<String> brokerConfig = new ArrayList<>();
    @Option(names = "--no-subscriber", description = "diagnostic: nobody subscribes; done when the buffer is empty (isolates the broker's fan-out)")
    boolean noSubscriber;
    @Option(names = "--subscriber-qos", defaultValue = "1", description = "the subscriber's QoS (default ${DEFAULT-VALUE}; 0 is a diagnostic)")
    int subscriberQos;
    @Option(names = "--mosquitto-pub", description = "after the drain, publish as many messages of the same mean size with mosquitto_pub"
            + " (QoS 1, the gateway's certificate, the same broker and subscriber) and report its rate beside the gateway's")
    boolean mosquittoPub;
    @Option(names = "--stored-json", description = "pre-fill JSON v1 objects whatever the payload (a backlog stored before the"
            + " upgrade to stored records); by default the backlog is stored as the gateway stores under --payload")
    boolean storedJson;
    @Option(names = "--work-dir", description = "where buffer, PKI and broker files go (default: a new temp dir, deleted after)")
    Path workDir;
    @Option(names = "--timeout", defaultValue = "PT10M", description = "give up after this ISO-8601 duration (default ${DEFAULT-VALUE})")
    Duration timeout;

    private final PrintStream out;
    private final PrintStream err;

    public DrainBenchmark() {
        this(System.out, System.err);
    }

    DrainBenchmark(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DrainBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (readings < 1 || readings > Integer.MAX_VALUE - 1) throw new CommandLine.ParameterException(
                new CommandLine(this), "--readings must be 1.." + (Integer.MAX_VALUE - 1));
        Path jar = gatewayJar != null ? GatewayProcess.findJar(List.of(gatewayJar))
                : GatewayProcess.findJar(List.of(Path.of("distribution/target/meterlink.jar"), Path.of("../distribution/target/meterlink.jar")));
        boolean temp = workDir == null;
        Path dir = temp ? Files.createTempDirectory("meterlink-drain-") : Files.createDirectories(workDir);
        try {
            return run(jar, dir);
        } finally {
            if (temp) deleteTree(dir);
        }
    }

    private int run(Path jar, Path dir) throws Exception {
        Path db = dir.resolve("state/buffer.db");
        long prefillStart = System.nanoTime();
        prefill(db);
        long prefillMs = (System.nanoTime() - prefillStart) / 1_000_000;
        BufferStats before = SqliteBuffer.inspect(db);
        err.printf("pre-filled %d readings (%d MiB accounted) in %d ms%n", before.depth(), before.bytes() >> 20, prefillMs);

        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Issued server = pki.issueLocalhostServer();
        TestPki.Issued gw = pki.issueClient(GATEWAY_ID);
        TestPki.Issued headEnd = pki.issueClient("headend");
        GatewayYaml yaml = new GatewayYaml(GATEWAY_ID, dir.resolve("state"), db)
                .bufferKey("max_bytes", "4GiB")
                .bufferKey("min_free_disk_percent", "1")
                .uplinkKey("status_interval", "10s");
        if (batchMaxReadings != null) yaml.uplinkKey("batch_max_readings", batchMaxReadings.toString());
        if (batchMaxBytes != null) yaml.uplinkKey("batch_max_bytes", batchMaxBytes);
        if (inflightWindow != null) yaml.uplinkKey("inflight_window", inflightWindow.toString());
        if (!payload.equals("json") && !payload.equals("compact")) throw new CommandLine.ParameterException(
                new CommandLine(this), "--payload must be json or compact");
        yaml.uplinkKey("payload", payload);

        MosquittoBroker.Builder brokerBuilder = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), server);
        brokerConfig.forEach(brokerBuilder::extraConfig);
        try (MosquittoBroker broker = brokerBuilder.build().start();
             SeqCounter counter = noSubscriber ? null : new SeqCounter(broker.url(), ClientTls.mutual(pki, headEnd), PREFIX, subscriberQos)) {
            yaml.uplink(broker.url(), pki.caFile(), gw.certFile(), gw.keyFile());
            Path config = yaml.writeTo(dir.resolve("meterlink.yaml"));
            long t0 = System.nanoTime();
            long launchMillis = System.currentTimeMillis();
            GatewayProcess gateway = GatewayProcess.start(jar, config, jvmArgs(), dir.resolve("gateway.log"));
            try {
                long deadline = t0 + timeout.toNanos();
                long depth = -1;
                long lastReport = t0;
                boolean done = false;
                long ackedNanos = 0; // when the buffer first said depth 0: every batch acknowledged by the broker
                long lastDepthCheck = t0;
                while (System.nanoTime() < deadline && gateway.isAlive()) {
                    Thread.sleep(100);
                    if (ackedNanos == 0 && System.nanoTime() - lastDepthCheck >= 500_000_000L) {
                        lastDepthCheck = System.nanoTime();
                        if (depthOf(db) == 0) ackedNanos = lastDepthCheck;
                    }
                    if (counter == null || counter.hasAll(1, readings)) {
                        depth = depthOf(db);
                        if (depth == 0) {
                            if (ackedNanos == 0) ackedNanos = System.nanoTime();
                            done = true;
                            break;
                        }
                    }
                    if (System.nanoTime() - lastReport > 2_000_000_000L) {
                        lastReport = System.nanoTime();
                        err.printf("  %5.1f s: %d of %d arrived%n", (lastReport - t0) / 1e9,
                                counter == null ? readings - depthOf(db) : counter.distinct(), readings);
                    }
                }
                long doneNanos = System.nanoTime();
                long peakRssKib = gateway.peakRssKib();
                long cpuMs = gateway.cpuMillis();
                boolean alive = gateway.isAlive();
                int exit = alive ? gateway.stop(Duration.ofSeconds(60)) : -1;
                if (!done) err.println("gateway log tail:\n" + gateway.logTail(40));
                double drainS = (doneNanos - t0) / 1e9;
                long first = counter == null ? 0 : counter.firstArrivalNanos();
                ObjectNode r = new ObjectMapper().createObjectNode();
                r.put("readings", readings);
                if (counter != null) {
                    r.put("delivered", counter.distinct());
                    r.put("duplicates", counter.duplicates());
                    r.put("messages", counter.messages());
                    r.put("bytes_per_reading", counter.carried() == 0 ? -1 : round((double) counter.payloadBytes() / counter.carried()));
                } else {
                    r.put("delivered", "not counted (--no-subscriber)");
                }
                r.put("complete", done);
                r.put("drain_s", round(drainS));
                r.put("readings_per_s", done ? Math.round(readings / drainS) : 0);
                r.put("first_arrival_s", first == 0 ? -1 : round((first - t0) / 1e9));
                // where the start-up went, from the gateway's own log (millisecond timestamps)
                r.put("buffer_open_s", logMark(dir.resolve("gateway.log"), "Buffer ", " open: ", launchMillis));
                r.put("uplink_connected_s", logMark(dir.resolve("gateway.log"), "uplink connected to ", "", launchMillis));
                // the gateway's and broker's share: until the buffer was empty (checked every 0.5 s)
                r.put("gateway_acked_s", ackedNanos == 0 ? -1 : round((ackedNanos - t0) / 1e9));
                if (counter != null) {
                    r.put("last_arrival_s", round((counter.lastArrivalNanos() - t0) / 1e9));
                    r.put("subscriber_cpu_s", round(counter.handlingCpuNanos() / 1e9));
                }
                r.put("peak_rss_mib", peakRssKib < 0 ? -1 : round(peakRssKib / 1024.0));
                r.put("gateway_cpu_s", cpuMs < 0 ? -1 : round(cpuMs / 1000.0));
                r.put("subscriber_qos", counter == null ? -1 : subscriberQos);
                r.put("payload", payload);
                r.put("stored", storedForm() == StoredForm.RECORDS ? "records" : "json");
                r.put("xmx", xmx);
                r.put("batch_max_readings", batchMaxReadings == null ? "default" : batchMaxReadings.toString());
                r.put("batch_max_bytes", batchMaxBytes == null ? "default" : batchMaxBytes);
                r.put("inflight_window", inflightWindow == null ? "default" : inflightWindow.toString());
                r.put("prefill_ms", prefillMs);
                r.put("load_avg_1m", loadAverage());
                r.put("gateway_exit", exit);
                if (done && mosquittoPub && counter != null) { // after the drain's figures are in the line
                    r.set("mosquitto_pub", mosquittoPub(dir, broker, pki, gw, counter, counter.firstArrivalNanos(), counter.lastArrivalNanos()));
                }
                out.println(r);
                out.flush();
                return done && exit == 0 ? 0 : 3;
            } finally {
                gateway.close();
            }
        }
    }

    /**
     * Seconds from {@code launchMillis} to the first line of the gateway's log that contains both
     * texts, by the line's leading ISO-8601 timestamp; -1 when there is none.
     */
    static double logMark(Path log, String text, String andText, long launchMillis) {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text) && l.contains(andText))
                    .map(l -> l.substring(0, Math.max(0, l.indexOf(' '))))
                    .map(ts -> {
                        try {
                            return round((java.time.Instant.parse(ts).toEpochMilli() - launchMillis) / 1000.0);
                        } catch (java.time.format.DateTimeParseException e) {
                            return -1.0;
                        }
                    })
                    .filter(v -> v >= 0).findFirst().orElse(-1.0);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /**
     * mosquitto_pub's rate through the same broker to the same QoS 1 subscriber: as many messages as the
     * gateway's drain sent, of their mean size, read from stdin ({@code -l}, one per line) and published
     * at QoS 1 with the gateway's certificate; timed until the subscriber has them all. Beside it the
     * gateway's own message rate from its first to its last arrival.
     */
    private ObjectNode mosquittoPub(Path dir, MosquittoBroker broker, TestPki pki, TestPki.Issued gw, SeqCounter counter,
                                    long firstNanos, long lastNanos) throws Exception {
        long sent = counter.messages();
        int size = (int) Math.max(1, counter.payloadBytes() / Math.max(1, sent));
        Path lines = dir.resolve("mosquitto-pub.txt");
        String line = "x".repeat(size) + "\n";
        try (var w = Files.newBufferedWriter(lines)) {
            for (long i = 0; i < sent; i++) w.write(line);
        }
        long before = counter.messages();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "localhost", "-p", String.valueOf(broker.port()), "--cafile",
                pki.caFile().toString(), "--cert", gw.certFile().toString(), "--key", gw.keyFile().toString(),
                "-i", GATEWAY_ID, "-q", "1", "-t", PREFIX + "/" + GATEWAY_ID + "/readings", "-l")
                .redirectInput(lines.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto-pub.log").toFile()).start();
        long deadline = t0 + Duration.ofMinutes(5).toNanos();
        while (counter.messages() < before + sent && System.nanoTime() < deadline) Thread.sleep(20);
        double s = (System.nanoTime() - t0) / 1e9;
        p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        ObjectNode r = new ObjectMapper().createObjectNode();
        r.put("messages", sent);
        r.put("message_bytes", size);
        r.put("received", counter.messages() - before);
        r.put("s", round(s));
        r.put("messages_per_s", Math.round((counter.messages() - before) / s));
        double gwS = (lastNanos - firstNanos) / 1e9;
        r.put("gateway_messages_per_s_first_to_last_arrival", gwS <= 0 ? -1 : Math.round(sent / gwS));
        return r;
    }

    /** Depth read from the file while the gateway writes it; -1 when it cannot be read just now. */
    private static long depthOf(Path db) {
        try {
            return SqliteBuffer.inspect(db).depth();
        } catch (io.meterlink.core.buffer.BufferException e) {
            return -1;
        }
    }

    private List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        args.add("-Xmx" + xmx);
        args.addAll(gatewayJvmArgs);
        return args;
    }

    /** The backlog's stored form: records under {@code --payload compact} unless {@code --stored-json}. */
    private StoredForm storedForm() {
        return StoredForm.of(!storedJson, payload.equals("compact") ? UplinkConfig.Payload.COMPACT : UplinkConfig.Payload.JSON);
    }

    /** Writes the backlog: {@code readings} heat-meter readings of {@code meters} meters, 30 days old. */
    private void prefill(Path db) throws Exception {
        Instant base = Instant.now().minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.HOURS);
        new Backlog(GATEWAY_ID, readings, meters, 10_000_000, base, Instant.now()).writeTo(db, new StandardParts().encoder(GATEWAY_ID, storedForm()));
    }

    /** The machine's 1-minute load average (other work on a shared machine skews the figures), -1 when unknown. */
    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
