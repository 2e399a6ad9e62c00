package io.meterlink.sim.demo;


import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.status.NativeSqlite;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.sim.broker.EmbeddedBroker;
import io.meterlink.sim.config.GatewayFile;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Tls;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.LedgerEntry;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import io.meterlink.sim.mbus.VirtualMbusBus;
import io.meterlink.sim.mbus.VirtualMbusSlave;
import io.meterlink.sim.pki.TestPki;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The README's first command: virtual M-Bus meters on loopback TCP lines, the real gateway runtime
 * (real SQLite file in a temporary directory, real M-Bus driver, real MQTT uplink over TLS with
 * password authentication), an embedded broker, and a head-end that checks every generated
 * reading arrived. Progress goes to stderr; the result is one JSON line on stdout.
 */
public final class Demo {
    /** M-Bus primary addresses usable on one line (1..250); more meters use more lines. */
    private static final int METERS_PER_LINE = 250;
    private static final String PREFIX = "meterlink/v1";
    private static final String GATEWAY = "demo-gw";
    private static final String HEAD_END = "head-end";

    private final int meters;
    private final Duration duration;
    private final Duration pollInterval;
    private final PrintStream progress;
    private final Clock clock = Clock.systemUTC();

    public Demo(int meters, Duration duration, Duration pollInterval, PrintStream progress) {
        if (meters < 1 || meters > 10_000) throw new IllegalArgumentException("meters must be 1..10000");
        this.meters = meters;
        this.duration = duration;
        this.pollInterval = pollInterval;
        this.progress = progress;
    }

    /** The figures of one run. */
    public record Result(long generated, long accepted, long delivered, long lost, long duplicates, long p99LatencyMs) {
        public String toJson() {
            return String.format(Locale.ROOT,
                    "{\"generated\":%d,\"accepted\":%d,\"delivered\":%d,\"lost\":%d,\"duplicates\":%d,\"p99_latency_ms\":%d}",
                    generated, accepted, delivered, lost, duplicates, p99LatencyMs);
        }
    }

    public Result run() throws Exception {
        Path dir = Files.createTempDirectory("meterlink-demo-");
        List<TcpMbusSlaveServer> lines = new ArrayList<>();
        List<VirtualMbusSlave> slaves = new ArrayList<>();
        try {
            progress.printf("demo: working directory %s%n", dir);
            progress.printf("demo: java %s, %s%n", System.getProperty("java.version"), NativeSqlite.describe());
            TestPki pki = TestPki.create(dir.resolve("pki"));
            TestPki.Issued server = pki.issueLocalhostServer();
            char[] gwPassword = randomPassword();
            char[] headEndPassword = randomPassword();
            try (EmbeddedBroker broker = EmbeddedBroker.start(server.certFile(), server.keyFile(), dir.resolve("broker"),
                    PREFIX, Map.of(GATEWAY, gwPassword, HEAD_END, headEndPassword), HEAD_END)) {
                progress.printf("demo: embedded broker (TLS, password authentication) on %s%n", broker.url());

                for (int first = 0; first < meters; first += METERS_PER_LINE) {
                    List<VirtualMbusSlave> onLine = new ArrayList<>();
                    for (int i = first; i < Math.min(meters, first + METERS_PER_LINE); i++) {
                        VirtualMbusSlave.Kind kind = i % 3 == 2 ? VirtualMbusSlave.Kind.HEAT : VirtualMbusSlave.Kind.WATER;
                        onLine.add(new VirtualMbusSlave(i - first + 1, String.format("%08d", 10_000_000 + i), "SIM", kind,
                                clock, ZoneOffset.UTC, 1_000_000L + 7919L * i, 50 + (i % 10) * 40L, 1));
                    }
                    slaves.addAll(onLine);
                    lines.add(new TcpMbusSlaveServer(0, new VirtualMbusBus(onLine)));
                }
                progress.printf("demo: %d virtual M-Bus meters on %d TCP line(s)%n", meters, lines.size());

                Path config = writeConfig(dir, broker.url(), pki.caFile(), gwPassword, lines);
                GatewayConfig gatewayConfig = ConfigLoader.load(config);
                try (HeadEnd headEnd = new HeadEnd(broker.url(), HEAD_END, headEndPassword,
                        Tls.socketFactory(pki.caFile(), null, null), PREFIX, clock);
                     Gateway gateway = Gateway.start(gatewayConfig)) {
                    Instant end = clock.instant().plus(duration);
                    while (clock.instant().isBefore(end)) {
                        Thread.sleep(1000);
                        report(slaves, gateway, headEnd);
                    }
                    // stop the meters, let the last answers reach the buffer, then wait for the drain
                    slaves.forEach(s -> s.setSilent(true));
                    Thread.sleep(Math.min(3000, pollInterval.toMillis() + 1000));
                    Instant drainLimit = clock.instant().plusSeconds(60);
                    while (clock.instant().isBefore(drainLimit)) {
                        StatusSnapshot s = gateway.status();
                        if (s.buffer().depth() == 0 && headEnd.delivered() >= s.buffer().accepted()) break;
                        Thread.sleep(250);
                    }
                    report(slaves, gateway, headEnd);
                    long accepted = gateway.status().buffer().accepted();
                    Verdict v = headEnd.verdict(generated(slaves));
                    return new Result(v.generated(), accepted, v.delivered(), v.lost(),
                            v.duplicatesBySeq() + v.duplicatesByMeasurement(), v.p99LatencyMs());
                }
            }
        } finally {
            for (TcpMbusSlaveServer line : lines) line.close();
            deleteTree(dir);
        }
    }

    private void report(List<VirtualMbusSlave> slaves, Gateway gateway, HeadEnd headEnd) {
        StatusSnapshot s = gateway.status();
        long generated = slaves.stream().mapToLong(sl -> sl.ledger().stream().mapToLong(e -> e.readings().size()).sum()).sum();
        progress.printf("demo: generated %d  accepted %d  delivered %d  buffer depth %d  uplink %s%n",
                generated, s.buffer().accepted(), headEnd.delivered(), s.buffer().depth(),
                s.uplink().connected() ? "connected" : "down");
    }

    private static List<Verdict.Generated> generated(List<VirtualMbusSlave> slaves) {
        List<Verdict.Generated> all = new ArrayList<>();
        for (VirtualMbusSlave s : slaves) {
            for (LedgerEntry e : s.ledger()) {
                e.readings().forEach(r -> all.add(new Verdict.Generated(r, e.generatedAt())));
            }
        }
        return all;
    }

    private Path writeConfig(Path dir, String url, Path ca, char[] password, List<TcpMbusSlaveServer> lines) throws IOException {
        GatewayFile f = new GatewayFile(GATEWAY, dir.resolve("state"))
                .uplink(UplinkKeys.URL, url)
                .uplink(UplinkKeys.PROTOCOL, "mqtt311") // the embedded broker speaks MQTT 3.1.1
                .tls(ca, null, null)
                .password(GATEWAY, new String(password))
                .uplink(UplinkKeys.STATUS_INTERVAL, Duration.ofSeconds(5))
                .uplink(UplinkKeys.BACKOFF_MIN, Duration.ofMillis(100))
                .uplink(UplinkKeys.BACKOFF_MAX, Duration.ofSeconds(2));
        int first = 0;
        for (int l = 0; l < lines.size(); l++) {
            int count = Math.min(METERS_PER_LINE, meters - first);
            f.mbusTcp("line-" + (l + 1), "127.0.0.1", lines.get(l).port(), pollInterval, pollInterval, 1000,
                    IntStream.rangeClosed(1, count).boxed().toList());
            first += count;
        }
        Files.createDirectories(dir.resolve("state"));
        return f.writeTo(dir.resolve("meterlink.yaml"));
    }

    private static char[] randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b).toCharArray();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }
}
