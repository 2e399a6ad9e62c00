package io.meterlink.sim.bench;

import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.electricity.ElectricityLineEndpoint;
import io.meterlink.sim.electricity.VirtualIecMeter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        Map<String, String> options = SerialPollCycle.options(args, Map.of("--meters", "32", "--baud", "9600", "--cycles", "2"));
        int meters = Integer.parseInt(options.get("--meters"));
        int baud = Integer.parseInt(options.get("--baud"));
        int cycles = Integer.parseInt(options.get("--cycles"));
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
        StringBuilder section = new StringBuilder("max_baud: " + baud + "\npoll_interval: 1s\nretries: 0\ntime_zone: UTC\nmeters:\n");
        for (VirtualIecMeter m : line) section.append("  - {address: \"").append(m.address()).append("\"}\n");
        SerialPollCycle.Cycles measured = SerialPollCycle.measure("iec-cycle",
                device -> ElectricityLineEndpoint.iec(new SerialTransport(device, 300, 7, SerialTransport.Parity.EVEN), line, true, true, Clock.systemUTC()),
                "iec62056-21", section.toString(), line.get(0).meterId(), cycles,
                Duration.ofNanos((long) ((cycles + 1) * minimum * 3e9) + 60_000_000_000L));
        double median = measured.median();
        System.out.printf("%d mode C meters on one line, sign-on at 300 baud, readout at %d baud (%d bytes of readouts per cycle)%n",
                meters, baud, readoutBytes);
        System.out.printf("protocol minimum %.2f s per cycle (%.0f ms per meter: bytes x 10 / baud + 3 x t_r 200 ms)%n",
                minimum, minimum * 1000 / meters);
        System.out.printf("measured cycles: %s s; median %.2f s; ratio %.3f%n", measured.shown(), median, median / minimum);
    }
}
