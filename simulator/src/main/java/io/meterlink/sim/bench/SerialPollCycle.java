package io.meterlink.sim.bench;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.YamlFile;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.driver.ReadingSink;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.sim.serial.SocatPty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the poll-cycle benchmarks ({@link IecPollCycleBenchmark}, {@link ModbusCycleBenchmark}) share:
 * virtual meters on the meter end of a socat pty, the real driver of one type on the gateway end,
 * and the time between two readings of the first meter as one full cycle of the line.
 */
final class SerialPollCycle {
    /** Serves the meters on the pty's meter end (a device path) until closed. */
    @FunctionalInterface
    interface MeterEnd {
        AutoCloseable open(String device) throws Exception;
    }

    /** Seconds per full cycle, in the order measured. */
    record Cycles(List<Double> seconds) {
        double median() {
            return seconds.stream().sorted().toList().get(seconds.size() / 2);
        }

        /** As printed: {@code [52.31, 52.45]}. */
        String shown() {
            return seconds.stream().map(x -> String.format("%.2f", x)).toList().toString();
        }
    }

    private SerialPollCycle() {
    }

    /**
     * {@code --name value} pairs over {@code defaults} (which name every option there is).
     *
     * @throws IllegalArgumentException for an option not in {@code defaults}
     */
    static Map<String, String> options(String[] args, Map<String, String> defaults) {
        Map<String, String> options = new HashMap<>(defaults);
        for (int i = 0; i < args.length - 1; i += 2) {
            if (!defaults.containsKey(args[i])) throw new IllegalArgumentException("unknown option " + args[i]);
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    /**
     * Runs one line until {@code first} has been read {@code cycles + 1} times or {@code patience} has passed.
     *
     * @param tempPrefix  prefix of the temporary directory for the pty links and the driver's file
     * @param driverType  the driver's type ({@code modbus}, {@code iec62056-21}, …)
     * @param lineSection the driver's YAML after {@code name}, {@code transport} and {@code port}, meters included
     * @throws IllegalStateException when the section is refused, or no full cycle was measured in time
     */
    static Cycles measure(String tempPrefix, MeterEnd meters, String driverType, String lineSection, MeterId first,
                          int cycles, Duration patience) throws Exception {
        Path dir = Files.createTempDirectory(tempPrefix);
        List<Long> firstMeterAt = new ArrayList<>();
        try (SocatPty pty = SocatPty.start(dir, "bench");
             AutoCloseable served = meters.open(pty.meterEnd().toString())) {
            String yaml = "name: bench\ntransport: serial\nport: \"" + pty.gatewayEnd() + "\"\n" + lineSection;
            YamlFile f = YamlFile.parse(dir.resolve("bench.yaml"), yaml);
            DriverFactory.DriverSpec spec = DriverRegistry.fromServiceLoader().find(driverType).orElseThrow().configure(f.root());
            if (spec == null) throw new IllegalStateException(f.errors().toString());
            ReadingSink sink = readings -> {
                if (readings.get(0).meter().equals(first)) {
                    synchronized (firstMeterAt) {
                        firstMeterAt.add(System.nanoTime());
                        firstMeterAt.notifyAll();
                    }
                }
            };
            try (Driver d = spec.create(context(sink))) {
                d.start();
                synchronized (firstMeterAt) {
                    long until = System.nanoTime() + patience.toNanos();
                    while (firstMeterAt.size() < cycles + 1 && System.nanoTime() < until) firstMeterAt.wait(10_000);
                }
            }
        }
        if (firstMeterAt.size() < 2) throw new IllegalStateException("no full cycle measured (meter 1 read " + firstMeterAt.size() + " times)");
        List<Double> seconds = new ArrayList<>();
        for (int i = 1; i < firstMeterAt.size(); i++) seconds.add((firstMeterAt.get(i) - firstMeterAt.get(i - 1)) / 1e9);
        return new Cycles(List.copyOf(seconds));
    }

    /** A driver context that hands readings to {@code sink} and prints health events on stderr. */
    private static DriverContext context(ReadingSink sink) {
        Health quiet = new Health() {
            @Override public void meterHeard(MeterId meter, Integer rssiDbm) { }

            @Override public void meterSilent(String source, String address) { System.err.println("silent: unit " + address); }

            @Override public void badInput(String source, DecodeException.Kind kind) { System.err.println("bad input: " + kind); }

            @Override public void transportError(String source, String message) { System.err.println("line: " + message); }
        };
        return new DriverContext() {
            @Override public String sourceName() { return "bench"; }

            @Override public ReadingSink sink() { return sink; }

            @Override public Health health() { return quiet; }

            @Override public Clock clock() { return Clock.systemUTC(); }
        };
    }
}
