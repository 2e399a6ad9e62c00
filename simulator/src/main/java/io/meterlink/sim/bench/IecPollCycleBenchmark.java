package io.meterlink.sim.bench;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.YamlFile;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.ReadingSink;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.electricity.ElectricityLineEndpoint;
import io.meterlink.sim.electricity.VirtualIecMeter;
import io.meterlink.sim.serial.SocatPty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The IEC 62056-21 mode C poll cycle of docs/benchmarks.md: N virtual meters (default 32) on one line
 * (a socat pty whose meter end keeps the line's speed, {@code ElectricityLineEndpoint.iec(…, paced)}),
 * read back to back by the real {@code iec62056-21} driver: sign-on at 300 baud, identification,
 * acknowledgement {@code ACK 0 Z 0} with the switch to {@code --baud}, data readout at that speed.
 * Prints the time per full cycle next to the protocol's minimum: per meter, the request, identification
 * and acknowledgement at 300 baud and the readout at the switched speed, 10 bits per character, plus
 * the reaction time t_r = 200 ms (the standard's minimum) before the identification, before the
 * acknowledgement and before the readout.
 * <pre>
 * java -cp simulator/target/meterlink-sim.jar io.meterlink.sim.bench.IecPollCycleBenchmark [--meters 32] [--baud 9600] [--cycles 2]
 * </pre>
 */
public final class IecPollCycleBenchmark {
    private static final double T_R_S = 0.200;

    private IecPollCycleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int meters = 32, baud = 9600, cycles = 2;
        for (int i = 0; i < args.length - 1; i += 2) {
            switch (args[i]) {
                case "--meters" -> meters = Integer.parseInt(args[i + 1]);
                case "--baud" -> baud = Integer.parseInt(args[i + 1]);
                case "--cycles" -> cycles = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<VirtualIecMeter> line = new ArrayList<>();
        double minimum = 0;
        int readoutBytes = 0;
        for (int m = 1; m <= meters; m++) {
            String address = Integer.toString(m);
            line.add(new VirtualIecMeter(address, VirtualIecMeter.Mode.C, 0, m));
            int request = ("/?" + address + "!\r\n").length();
            int ident = line.get(m - 1).identification().length;
            int ack = 6; // ACK 0 Z 0 CR LF
            int readout = new VirtualIecMeter(address, VirtualIecMeter.Mode.C, 0, m).readout(Instant.now()).length; // the same meter's first readout
            readoutBytes += readout;
            minimum += (request + ident + ack) * 10.0 / 300 + readout * 10.0 / baud + 3 * T_R_S;
        }
        Path dir = Files.createTempDirectory("iec-cycle");
        List<Long> firstMeterAt = new ArrayList<>();
        try (SocatPty pty = SocatPty.start(dir, "bench");
             ElectricityLineEndpoint endpoint = ElectricityLineEndpoint.iec(
                     new SerialTransport(pty.meterEnd().toString(), 300, 7, SerialTransport.Parity.EVEN), line, true, true, Clock.systemUTC())) {
            StringBuilder yaml = new StringBuilder("name: bench\ntransport: serial\nport: \"" + pty.gatewayEnd() + "\"\nmax_baud: " + baud
                    + "\npoll_interval: 1s\nretries: 0\ntime_zone: UTC\nmeters:\n");
            for (VirtualIecMeter m : line) yaml.append("  - {address: \"").append(m.address()).append("\"}\n");
            YamlFile f = YamlFile.parse(dir.resolve("bench.yaml"), yaml.toString());
            Settings s = f.root();
            DriverFactory factory = ServiceLoader.load(DriverFactory.class).stream().map(ServiceLoader.Provider::get)
                    .filter(x -> x.type().equals("iec62056-21")).findFirst().orElseThrow();
            DriverFactory.DriverSpec spec = factory.configure(s);
            if (spec == null) throw new IllegalStateException(f.errors().toString());
            MeterId first = line.get(0).meterId();
            ReadingSink sink = readings -> {
                if (readings.get(0).meter().equals(first)) {
                    synchronized (firstMeterAt) {
                        firstMeterAt.add(System.nanoTime());
                        firstMeterAt.notifyAll();
                    }
                }
            };
            try (Driver d = spec.create(ModbusCycleBenchmark.context(sink))) {
                d.start();
                synchronized (firstMeterAt) {
                    long until = System.nanoTime() + (long) ((cycles + 1) * minimum * 3e9) + 60_000_000_000L;
                    while (firstMeterAt.size() < cycles + 1 && System.nanoTime() < until) firstMeterAt.wait(10_000);
                }
            }
        }
        if (firstMeterAt.size() < 2) throw new IllegalStateException("no full cycle measured (meter 1 read " + firstMeterAt.size() + " times)");
        List<Double> cycleS = new ArrayList<>();
        for (int i = 1; i < firstMeterAt.size(); i++) cycleS.add((firstMeterAt.get(i) - firstMeterAt.get(i - 1)) / 1e9);
        double median = cycleS.stream().sorted().toList().get(cycleS.size() / 2);
        System.out.printf("%d mode C meters on one line, sign-on at 300 baud, readout at %d baud (%d bytes of readouts per cycle)%n",
                meters, baud, readoutBytes);
        System.out.printf("protocol minimum %.2f s per cycle (%.0f ms per meter: bytes x 10 / baud + 3 x t_r 200 ms)%n",
                minimum, minimum * 1000 / meters);
        System.out.printf("measured cycles: %s s; median %.2f s; ratio %.3f%n",
                cycleS.stream().map(x -> String.format("%.2f", x)).toList(), median, median / minimum);
    }
}
