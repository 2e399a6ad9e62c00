package io.meterlink.sim.bench;

import io.meterlink.sim.pulse.PulseGenerator;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Figures of the {@code pulse} driver on Pi4J's mock provider, against the real gateway process
 * (docs/benchmarks.md). Two modes:
 * <ul>
 *   <li>{@code kills N RATE}: one pulse output at RATE pulses/s; the gateway is SIGKILLed N times at
 *       random moments (0.3–2 s after it connected) and restarted; at the end the durable count in its
 *       state file is compared with the pulses generated: lost, counted twice, and how many pulses were
 *       in flight at the kills (what a real GPIO input would have lost: the loss window);</li>
 *   <li>{@code rates R1,R2,…}: for each rate a fresh gateway counts pulses for 8 s (1 ms debounce,
 *       50 % duty); the rate passes when the durable count equals the pulses generated.</li>
 * </ul>
 * The gateway has no broker (an unreachable plaintext uplink, {@code allow_insecure}): readings pile
 * up in its buffer; only the count matters here. Prints one line per result.
 * <pre>java -cp simulator/target/meterlink-sim.jar io.meterlink.sim.bench.PulseBenchmark kills 100 16</pre>
 */
public final class PulseBenchmark {
    private PulseBenchmark() { }

    public static void main(String[] args) throws Exception {
        Path jar = GatewayProcess.findJar(List.of(Path.of("distribution/target/meterlink.jar"), Path.of("../distribution/target/meterlink.jar")));
        Path dir = Files.createTempDirectory("meterlink-pulse-bench");
        if (args.length >= 3 && args[0].equals("kills")) {
            kills(jar, dir, Integer.parseInt(args[1]), Double.parseDouble(args[2]));
        } else if (args.length >= 2 && args[0].equals("rates")) {
            for (String r : args[1].split(",")) rate(jar, dir.resolve("rate-" + r), Double.parseDouble(r));
        } else {
            System.err.println("usage: PulseBenchmark kills N RATE | rates R1,R2,...");
            System.exit(2);
        }
    }

    private static Path config(Path dir, int port, String debounce) throws IOException {
        Files.createDirectories(dir.resolve("state"));
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path cfg = dir.resolve("meterlink.yaml");
        Files.writeString(cfg, "gateway_id: bench\nstate_dir: \"" + dir.resolve("state") + "\"\n"
                + "uplink:\n  url: tcp://127.0.0.1:" + closed + "\n  allow_insecure: true\n"
                + "sources:\n  - name: pulse\n    driver: pulse\n    provider: mock\n    interval: 5s\n    inputs:\n"
                + "      - id: bench\n        pin: 4\n        debounce: " + debounce + "\n        pulses_per_unit: 1000\n"
                + "        unit: kWh\n        wire: 127.0.0.1:" + port + "\n");
        return cfg;
    }

    /** The durable count in the gateway's pulse store. */
    private static long stored(Path dir) throws Exception {
        Path db = dir.resolve("state").resolve("pulse-pulse.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count FROM pulse_counter")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private static void kills(Path jar, Path dir, int kills, double rate) throws Exception {
        Random random = new Random(12);
        try (PulseGenerator gen = new PulseGenerator(rate, (long) (0.5e9 / rate), 5, true)) {
            Path cfg = config(dir, gen.port(), rate > 16 ? "1ms" : "15ms");
            for (int k = 0; k < kills; k++) {
                long connections = gen.connections();
                try (GatewayProcess g = GatewayProcess.start(jar, cfg, List.of("-Xmx96m"), dir.resolve("gateway.log"))) {
                    long until = System.nanoTime() + 60_000_000_000L;
                    while (gen.connections() == connections && System.nanoTime() < until && g.isAlive()) Thread.sleep(20);
                    Thread.sleep(300 + random.nextInt(1700));
                    g.kill();
                }
                System.err.printf(Locale.ROOT, "kill %d: %d pulses generated, %d acknowledged, %d in flight so far%n", k + 1,
                        gen.generated(), gen.acknowledged(), gen.inFlightAtReconnect());
            }
            long connections = gen.connections();
            try (GatewayProcess g = GatewayProcess.start(jar, cfg, List.of("-Xmx96m"), dir.resolve("gateway.log"))) {
                while (gen.connections() == connections) Thread.sleep(20);
                Thread.sleep(1000);
                gen.stop();
                boolean all = gen.awaitAcknowledged(30_000);
                g.stop(java.time.Duration.ofSeconds(30));
                long count = stored(dir);
                System.out.printf(Locale.ROOT, "{\"benchmark\":\"pulse_kills\",\"kills\":%d,\"rate_hz\":%.1f,\"pulses_generated\":%d,"
                                + "\"durable_count\":%d,\"lost\":%d,\"counted_twice\":%d,\"in_flight_at_kills\":%d,\"all_acknowledged\":%b}%n",
                        kills, rate, gen.generated(), count, Math.max(0, gen.generated() - count), Math.max(0, count - gen.generated()),
                        gen.inFlightAtReconnect(), all);
            }
        }
    }

    private static void rate(Path jar, Path dir, double rate) throws Exception {
        try (PulseGenerator gen = new PulseGenerator(rate, (long) (0.5e9 / rate), 0, true)) {
            Path cfg = config(dir, gen.port(), rate > 400 ? "0ms" : "1ms");
            try (GatewayProcess g = GatewayProcess.start(jar, cfg, List.of("-Xmx96m"), dir.resolve("gateway.log"))) {
                while (gen.connections() == 0) Thread.sleep(20);
                long from = System.nanoTime();
                Thread.sleep(8000);
                gen.stop();
                double seconds = (System.nanoTime() - from) / 1e9;
                boolean all = gen.awaitAcknowledged(30_000);
                g.stop(java.time.Duration.ofSeconds(30));
                long count = stored(dir);
                System.out.printf(Locale.ROOT, "{\"benchmark\":\"pulse_rate\",\"rate_hz\":%.0f,\"achieved_hz\":%.1f,\"pulses_generated\":%d,"
                                + "\"durable_count\":%d,\"exact\":%b}%n",
                        rate, gen.generated() / seconds, gen.generated(), count, all && count == gen.generated());
            }
        }
    }
}
