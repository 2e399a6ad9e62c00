package io.meterlink.sim.mbus;

import io.meterlink.sim.model.MeterModel;
import io.meterlink.sim.model.MeterModels;
import io.meterlink.sim.net.ServeUntilStopped;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code meterlink-sim meters}: virtual wired M-Bus meters, standalone, so that a real gateway (or a
 * technician with any M-Bus master) can read them over TCP (ser2net style) or a socat pseudo-terminal.
 * Runs until interrupted (Ctrl-C).
 */
@Command(name = "meters", mixinStandardHelpOptions = true,
        description = "Runs virtual M-Bus meters at primary addresses 1..N, on a TCP port and/or a pseudo-terminal, until Ctrl-C.")
public final class MetersCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--mbus-tcp", paramLabel = "PORT", description = "serve the meters on 127.0.0.1:PORT (raw M-Bus over TCP)")
    Integer tcpPort;

    @Option(names = "--mbus-pty", paramLabel = "LINK", description = "create a socat pty pair; the gateway opens LINK (2400 8E1)")
    Path ptyLink;

    @Option(names = "--count", defaultValue = "5", description = "number of meters, 1..250 (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--model", defaultValue = "water",
            description = "behaviour: constant, water, leak, reverse, stuck, silent, drift (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--fault-after", defaultValue = "300", description = "seconds until the model's fault begins (default ${DEFAULT-VALUE})")
    long faultAfterSeconds;

    @Option(names = "--garbage-rate", defaultValue = "0", description = "probability 0..1 of garbage bytes before an answer (default ${DEFAULT-VALUE})")
    double garbageRate;

    @Option(names = "--utc-offset", defaultValue = "+00:00",
            description = "the meters' clock offset from UTC; match the gateway's time_zone (default ${DEFAULT-VALUE}, as the gateway's UTC)")
    String utcOffset;

    @Option(names = "--baud", defaultValue = "2400", description = "pty baud rate (default ${DEFAULT-VALUE})")
    int baud;

    @Override
    public Integer call() throws Exception {
        return ServeUntilStopped.run(this::start, "meters");
    }

    /** Meters being served; {@link #close()} stops every endpoint (and socat). */
    public static final class Running implements AutoCloseable {
        private final List<AutoCloseable> open = new ArrayList<>();
        private final VirtualMbusBus bus;
        private int tcpPort = -1;

        Running(VirtualMbusBus bus) { this.bus = bus; }

        public VirtualMbusBus bus() { return bus; }

        /** The TCP port served, or -1 when none. */
        public int tcpPort() { return tcpPort; }

        @Override
        public synchronized void close() {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception ignored) {
                    // stopping
                }
            }
            open.clear();
        }
    }

    /**
     * Validates the options and starts serving.
     *
     * @throws IllegalArgumentException for a bad option (message names it)
     */
    public Running start(PrintStream err) throws IOException, InterruptedException {
        if (tcpPort == null && ptyLink == null) throw new IllegalArgumentException("give --mbus-tcp PORT and/or --mbus-pty LINK");
        if (count < 1 || count > 250) throw new IllegalArgumentException("--count must be 1..250");
        if (!(garbageRate >= 0 && garbageRate <= 1)) throw new IllegalArgumentException("--garbage-rate must be 0..1");
        if (tcpPort != null && (tcpPort < 0 || tcpPort > 65535)) throw new IllegalArgumentException("--mbus-tcp must be a port 0..65535");
        ZoneOffset offset;
        try {
            offset = ZoneOffset.of(utcOffset);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("--utc-offset: " + e.getMessage());
        }
        Clock clock = Clock.systemUTC();
        Instant start = clock.instant();
        List<VirtualMbusSlave> slaves = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MeterModel m;
            try {
                m = MeterModels.named(model, start, offset, i, Duration.ofSeconds(faultAfterSeconds));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--model: " + e.getMessage());
            }
            slaves.add(new VirtualMbusSlave(i + 1, String.format("%08d", 70_000_001 + i), "MLS", VirtualMbusSlave.Kind.WATER,
                    clock, offset, m, 1));
        }
        VirtualMbusBus bus = new VirtualMbusBus(slaves);
        if (garbageRate > 0) LineNoise.garbage(garbageRate, start.toEpochMilli()).install(bus);
        Running r = new Running(bus);
        try {
            if (tcpPort != null) {
                TcpMbusSlaveServer server = new TcpMbusSlaveServer(tcpPort, bus);
                r.open.add(server);
                r.tcpPort = server.port();
                err.println("M-Bus over TCP on 127.0.0.1:" + server.port());
            }
            if (ptyLink != null) {
                Process socat = startSocat(ptyLink);
                r.open.add(() -> {
                    socat.destroy();
                    if (!socat.waitFor(5, TimeUnit.SECONDS)) socat.destroyForcibly();
                });
                r.open.add(new SerialMbusSlaveEndpoint(simEnd(ptyLink).toString(), baud, bus));
                err.println("M-Bus on pseudo-terminal " + ptyLink + " (" + baud + " 8E1)");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            r.close();
            throw e;
        }
        for (VirtualMbusSlave s : slaves) err.println("meter " + s.meterId() + " at primary address " + s.address() + ", model " + model);
        return r;
    }

    private static Path simEnd(Path link) { return link.resolveSibling(link.getFileName() + ".sim"); }

    private static Process startSocat(Path link) throws IOException, InterruptedException {
        Path sim = simEnd(link);
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + link, "pty,raw,echo=0,link=" + sim)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.exists(link) && Files.exists(sim))) {
            if (!p.isAlive()) throw new IOException("socat exited with " + p.exitValue() + " (is socat installed? is " + link + " writable?)");
            if (System.nanoTime() > end) {
                p.destroyForcibly();
                throw new IOException("socat did not create " + link + " within 20 s");
            }
            Thread.sleep(50);
        }
        return p;
    }

}
