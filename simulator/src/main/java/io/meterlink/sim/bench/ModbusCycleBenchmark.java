package io.meterlink.sim.bench;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.driver.ReadingSink;
import io.meterlink.core.api.config.YamlFile;
import io.meterlink.drivers.modbus.MeterProfile;
import io.meterlink.drivers.modbus.ProfileCatalog;
import io.meterlink.drivers.modbus.ReadBlock;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.modbus.ModbusRtuSlaves;
import io.meterlink.sim.modbus.VirtualModbusMeter;
import io.meterlink.sim.serial.SocatPty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The Modbus poll cycle of docs/benchmarks.md: N meters of one profile (default 32 SDM630s) on one
 * RTU line (a socat pty whose slaves answer at the line's speed: the request's and the answer's
 * bytes at 11 bits each plus the 3.5-character silence), read by the real {@code modbus} driver back
 * to back. Prints the time per full cycle next to the line's limit (every request and answer byte at
 * 11 bits per character, plus a 3.5-character gap after each frame) and the requests per meter after
 * coalescing.
 * <pre>
 * java -cp simulator/target/meterlink-sim.jar io.meterlink.sim.bench.ModbusCycleBenchmark [--meters 32] [--baud 9600] [--profile eastron-sdm630] [--cycles 3]
 * </pre>
 */
public final class ModbusCycleBenchmark {
    private ModbusCycleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int meters = 32, baud = 9600, cycles = 3;
        String profileName = "eastron-sdm630";
        for (int i = 0; i < args.length - 1; i += 2) {
            switch (args[i]) {
                case "--meters" -> meters = Integer.parseInt(args[i + 1]);
                case "--baud" -> baud = Integer.parseInt(args[i + 1]);
                case "--cycles" -> cycles = Integer.parseInt(args[i + 1]);
                case "--profile" -> profileName = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        MeterProfile profile = ProfileCatalog.shipped().find(profileName);
        List<ReadBlock> blocks = profile.blocks();
        double charS = 11.0 / baud;
        double perMeter = 0;
        for (ReadBlock b : blocks) {
            int answer = b.function() <= 2 ? 5 + (b.count() + 7) / 8 : 5 + 2 * b.count();
            perMeter += (8 + answer) * charS + 2 * 3.5 * charS;
        }
        Path dir = Files.createTempDirectory("modbus-cycle");
        List<VirtualModbusMeter> slaves = new ArrayList<>();
        for (int u = 1; u <= meters; u++) slaves.add(new VirtualModbusMeter(u, profile, "m" + u, Clock.systemUTC(), 0, List.of()));
        List<Long> unitOneAt = new ArrayList<>();
        try (SocatPty pty = SocatPty.start(dir, "bench");
             ModbusRtuSlaves line = new ModbusRtuSlaves(new SerialTransport(pty.meterEnd().toString(), baud, SerialTransport.Parity.EVEN), baud, slaves, true)) {
            StringBuilder yaml = new StringBuilder("name: bench\ntransport: serial\nport: \"" + pty.gatewayEnd() + "\"\nbaud: " + baud
                    + "\nparity: even\npoll_interval: 100ms\ntimeout_ms: 1000\nretries: 0\nmeters:\n");
            for (int u = 1; u <= meters; u++) yaml.append("  - {unit: ").append(u).append(", profile: ").append(profileName).append("}\n");
            YamlFile f = YamlFile.parse(dir.resolve("bench.yaml"), yaml.toString());
            Settings s = f.root();
            DriverFactory factory = ServiceLoader.load(DriverFactory.class).stream().map(ServiceLoader.Provider::get)
                    .filter(x -> x.type().equals("modbus")).findFirst().orElseThrow();
            DriverFactory.DriverSpec spec = factory.configure(s);
            if (spec == null) throw new IllegalStateException(f.errors().toString());
            MeterId first = MeterId.of("modbus", profile.manufacturer(), "bench.1");
            ReadingSink sink = readings -> {
                if (readings.get(0).meter().equals(first)) {
                    synchronized (unitOneAt) {
                        unitOneAt.add(System.nanoTime());
                        unitOneAt.notifyAll();
                    }
                }
            };
            try (Driver d = spec.create(context(sink))) {
                d.start();
                synchronized (unitOneAt) {
                    while (unitOneAt.size() < cycles + 1) unitOneAt.wait(60_000);
                }
            }
        }
        List<Double> cycleS = new ArrayList<>();
        for (int i = 1; i < unitOneAt.size(); i++) cycleS.add((unitOneAt.get(i) - unitOneAt.get(i - 1)) / 1e9);
        double limit = perMeter * meters;
        double median = cycleS.stream().sorted().toList().get(cycleS.size() / 2);
        System.out.printf("profile %s, %d values, %d requests per meter after coalescing (%s)%n", profileName, profile.values().size(),
                blocks.size(), blocks.stream().map(b -> "fc" + b.function() + " " + b.start() + "+" + b.count()).toList());
        System.out.printf("%d meters on one RTU line at %d baud: line limit %.2f s per cycle (%.1f ms per meter)%n", meters, baud, limit, perMeter * 1000);
        System.out.printf("measured cycles: %s s; median %.2f s = %.0f%% of the line limit%n",
                cycleS.stream().map(x -> String.format("%.2f", x)).toList(), median, 100 * median / limit);
    }

    /** A driver context that hands readings to {@code sink} and prints health events on stderr (also for {@link IecPollCycleBenchmark}). */
    static DriverContext context(ReadingSink sink) {
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
