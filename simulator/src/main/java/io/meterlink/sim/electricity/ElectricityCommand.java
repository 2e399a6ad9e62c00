package io.meterlink.sim.electricity;

import io.meterlink.drivers.transport.Transport;
import io.meterlink.sim.net.ServeUntilStopped;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code meterlink-sim electricity}: virtual electricity meters of one family, or a recorded SML dump
 * replayed, behind a raw TCP port on loopback (ser2net raw style, {@link ElectricityTcpServer}), so that
 * a real gateway ({@code transport: tcp}) or any other reader can read them. Runs until interrupted.
 */
@Command(name = "electricity", mixinStandardHelpOptions = true,
        description = "Runs virtual electricity meters (DSMR P1, SML, IEC 62056-21) or replays a recorded SML dump on a raw TCP port "
                + "(ser2net style, one client at a time), until Ctrl-C.")
public final class ElectricityCommand implements Callable<Integer> {
    @Option(names = "--family", required = true, paramLabel = "FAMILY",
            description = "p1 | sml | sml-replay | iec62056-21")
    String family;

    @Option(names = "--tcp", defaultValue = "0", paramLabel = "PORT", description = "serve on 127.0.0.1:PORT (default 0: a free port, printed on stderr)")
    int tcpPort;

    @Option(names = "--count", defaultValue = "1", description = "meters on the line, 1..32 (P1, SML: pushing one after the other; IEC: addresses 1..N) (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--interval", defaultValue = "1000", paramLabel = "MS", description = "P1, SML, replay, IEC mode D: ms between two pushes of the line (default ${DEFAULT-VALUE})")
    long intervalMs;

    @Option(names = "--p1-version", defaultValue = "5", description = "P1 layout: 5, 4, 3, 2.2 or emucs (default ${DEFAULT-VALUE})")
    String p1Version;

    @Option(names = "--key-file", paramLabel = "FILE", description = "P1: encrypt (DLMS general-global-cipher) with the 16-byte key in FILE (32 hex digits)")
    Path keyFile;

    @Option(names = "--auth-key-file", paramLabel = "FILE", description = "P1 with --key-file: the authentication key in FILE (32 hex digits)")
    Path authKeyFile;

    @Option(names = "--iec-mode", defaultValue = "C", description = "IEC 62056-21 mode: A, B, C, D (pushing) or E (default ${DEFAULT-VALUE})")
    String iecMode;

    @Option(names = "--recording", paramLabel = "FILE", description = "sml-replay: the recorded SML stream to replay, file by file, over and over")
    Path recording;

    @Option(names = "--split", description = "P1, SML: send each frame in two writes 50 ms apart")
    boolean split;

    @Option(names = "--damage-every", defaultValue = "0", description = "every n-th telegram / file / readout has a wrong CRC/BCC; 0 never (default ${DEFAULT-VALUE})")
    int damageEvery;

    @Option(names = "--seed", defaultValue = "1", description = "seeds the meters' values (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        return ServeUntilStopped.run(this::start, "electricity");
    }

    /** The meters being served; {@link #close()} stops the server. */
    public static final class Running implements AutoCloseable {
        private final ElectricityTcpServer server;
        private final List<PushMeter> meters;

        Running(ElectricityTcpServer server, List<PushMeter> meters) {
            this.server = server;
            this.meters = meters;
        }

        public int tcpPort() { return server.port(); }

        /** The virtual meters (their ledgers say what a correct reader gets; a replay's is empty). */
        public List<PushMeter> meters() { return meters; }

        @Override public void close() { server.close(); }
    }

    /**
     * Validates the options and starts serving.
     *
     * @throws IllegalArgumentException for a bad option (the message names it)
     */
    public Running start(PrintStream err) throws IOException {
        if (count < 1 || count > 32) throw new IllegalArgumentException("--count must be 1..32");
        if (tcpPort < 0 || tcpPort > 65535) throw new IllegalArgumentException("--tcp must be a port 0..65535");
        if (intervalMs < 10) throw new IllegalArgumentException("--interval must be >= 10 ms");
        if (damageEvery < 0) throw new IllegalArgumentException("--damage-every must be >= 0");
        Clock clock = Clock.systemUTC();
        Duration interval = Duration.ofMillis(intervalMs);
        List<PushMeter> meters = new ArrayList<>();
        ElectricityTcpServer.Lines lines;
        String what;
        switch (family.toLowerCase(Locale.ROOT)) {
            case "p1" -> {
                if (!VirtualP1Meter.VERSIONS.contains(p1Version)) throw new IllegalArgumentException("--p1-version must be one of " + VirtualP1Meter.VERSIONS);
                if ((keyFile == null) != (authKeyFile == null)) throw new IllegalArgumentException("--key-file and --auth-key-file go together");
                byte[] key = keyFile == null ? null : key(keyFile, "--key-file");
                byte[] authKey = authKeyFile == null ? null : key(authKeyFile, "--auth-key-file");
                for (int i = 0; i < count; i++) meters.add(new VirtualP1Meter("SIM" + (i + 1), p1Version, key, authKey, damageEvery, seed + i));
                lines = line -> ElectricityLineEndpoint.push(line, meters, interval, split, clock);
                what = count + " P1 meter(s), DSMR layout " + p1Version + (key == null ? "" : ", encrypted");
            }
            case "sml" -> {
                for (int i = 0; i < count; i++) meters.add(new VirtualSmlMeter(i + 1, damageEvery, false, seed + i));
                lines = line -> ElectricityLineEndpoint.push(line, meters, interval, split, clock);
                what = count + " SML meter(s)";
            }
            case "sml-replay" -> {
                if (recording == null) throw new IllegalArgumentException("--recording FILE is needed for sml-replay");
                if (!Files.isReadable(recording)) throw new IllegalArgumentException("--recording: cannot read " + recording);
                SmlReplayMeter replay = new SmlReplayMeter(recording);
                meters.add(replay);
                lines = line -> ElectricityLineEndpoint.push(line, meters, interval, split, clock);
                what = "the SML recording " + recording + " (" + replay.pieces() + " pieces per pass)";
            }
            case "iec62056-21" -> {
                VirtualIecMeter.Mode mode;
                try {
                    mode = VirtualIecMeter.Mode.valueOf(iecMode.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--iec-mode must be A, B, C, D or E");
                }
                List<VirtualIecMeter> iec = new ArrayList<>();
                for (int i = 1; i <= count; i++) iec.add(new VirtualIecMeter(Integer.toString(i), mode, damageEvery, seed + i));
                meters.addAll(iec);
                lines = mode == VirtualIecMeter.Mode.D
                        ? line -> ElectricityLineEndpoint.push(line, iec, interval, false, clock)
                        : (Transport line) -> ElectricityLineEndpoint.iec(line, iec, false, clock);
                what = count + " IEC 62056-21 meter(s) in mode " + mode + (mode == VirtualIecMeter.Mode.D ? ", pushing" : ", addresses 1.." + count);
            }
            default -> throw new IllegalArgumentException("--family must be p1, sml, sml-replay or iec62056-21");
        }
        ElectricityTcpServer server = new ElectricityTcpServer(tcpPort, lines);
        err.println(what + " on 127.0.0.1:" + server.port() + " (raw TCP)");
        return new Running(server, List.copyOf(meters));
    }

    /** A 16-byte key as 32 hex digits in a file (never printed). */
    private static byte[] key(Path file, String option) {
        byte[] k;
        try {
            k = HexFormat.of().parseHex(Files.readString(file).strip());
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file);
        } catch (IllegalArgumentException e) {
            k = new byte[0];
        }
        if (k.length != 16) throw new IllegalArgumentException(option + ": the key must be 16 bytes, 32 hex digits");
        return k;
    }
}
