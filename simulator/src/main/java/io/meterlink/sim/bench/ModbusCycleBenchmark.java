package io.meterlink.sim.bench;

import io.meterlink.core.api.MeterId;
import io.meterlink.drivers.modbus.MeterProfile;
import io.meterlink.drivers.modbus.ProfileCatalog;
import io.meterlink.drivers.modbus.ReadBlock;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.modbus.ModbusRtuSlaves;
import io.meterlink.sim.modbus.VirtualModbusMeter;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        Map<String, String> options = SerialPollCycle.options(args,
                Map.of("--meters", "32", "--baud", "9600", "--cycles", "3", "--profile", "eastron-sdm630"));
        int meters = Integer.parseInt(options.get("--meters"));
        int baud = Integer.parseInt(options.get("--baud"));
        int cycles = Integer.parseInt(options.get("--cycles"));
        String profileName = options.get("--profile");
        MeterProfile profile = ProfileCatalog.shipped().find(profileName);
        List<ReadBlock> blocks = profile.blocks();
        double charS = 11.0 / baud;
        double perMeter = 0;
        for (ReadBlock b : blocks) {
            int answer = b.function() <= 2 ? 5 + (b.count() + 7) / 8 : 5 + 2 * b.count();
            perMeter += (8 + answer) * charS + 2 * 3.5 * charS;
        }
        List<VirtualModbusMeter> slaves = new ArrayList<>();
        for (int u = 1; u <= meters; u++) slaves.add(new VirtualModbusMeter(u, profile, "m" + u, Clock.systemUTC(), 0, List.of()));
        StringBuilder section = new StringBuilder("baud: " + baud + "\nparity: even\npoll_interval: 100ms\ntimeout_ms: 1000\nretries: 0\nmeters:\n");
        for (int u = 1; u <= meters; u++) section.append("  - {unit: ").append(u).append(", profile: ").append(profileName).append("}\n");
        double limit = perMeter * meters;
        SerialPollCycle.Cycles measured = SerialPollCycle.measure("modbus-cycle",
                device -> new ModbusRtuSlaves(new SerialTransport(device, baud, SerialTransport.Parity.EVEN), baud, slaves, true),
                "modbus", section.toString(), MeterId.of("modbus", profile.manufacturer(), "bench.1"), cycles,
                Duration.ofNanos((long) ((cycles + 1) * limit * 3e9) + 60_000_000_000L));
        double median = measured.median();
        System.out.printf("profile %s, %d values, %d requests per meter after coalescing (%s)%n", profileName, profile.values().size(),
                blocks.size(), blocks.stream().map(b -> "fc" + b.function() + " " + b.start() + "+" + b.count()).toList());
        System.out.printf("%d meters on one RTU line at %d baud: line limit %.2f s per cycle (%.1f ms per meter)%n", meters, baud, limit, perMeter * 1000);
        System.out.printf("measured cycles: %s s; median %.2f s = %.0f%% of the line limit%n", measured.shown(), median, 100 * median / limit);
    }
}
