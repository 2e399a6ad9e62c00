package io.meterlink.sim.rtl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.ert.ErtCodec;
import io.meterlink.drivers.ert.ErtDemodulator;
import io.meterlink.drivers.ert.ErtPacket;
import io.meterlink.drivers.ert.ErtProtocol;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@code rtl_tcp} server whose antenna hears virtual 900 MHz meters: it greets each client with
 * the 12-byte header ({@code RTL0}, tuner type, gain count, big-endian), accepts the 5-byte commands
 * (command byte, 32-bit big-endian argument: 1 frequency, 2 sample rate, 3 gain mode, 4 gain,
 * 5 frequency correction, 8 AGC, …), and streams unsigned 8-bit I/Q in real time, in which each
 * meter transmits its protocol's packet every interval. One client at a time; no client, no air
 * time. Keeps a manifest of every consumption each meter sent (a packet counts as sent once its
 * last sample was written to the client). Can stall on demand (the stream stops while the
 * connection stays open), as a real dongle does.
 */
public final class RtlTcpServer implements AutoCloseable {
    /**
     * Settings; {@code intervalSeconds <= 0} means each protocol's own interval; {@code wedgeAfterSeconds > 0}
     * wedges the server for good after that much stream (as a stuck dongle: only a restart clears it),
     * sending nothing ({@code wedgeConstant} false) or samples of constant amplitude (true);
     * {@code badEvery > 0} damages every n-th packet after its preamble (one Manchester bit inverted; three
     * R900 symbols changed, beyond Reed-Solomon) — such packets are counted, not listed in the manifest.
     */
    public record Config(InetAddress bind, int port, int meters, List<ErtProtocol> protocols, long seed, double intervalSeconds,
                         double snrDb, double maxOffsetHz, long sampleRate, Path manifest, boolean paced,
                         double wedgeAfterSeconds, boolean wedgeConstant, int badEvery, int collideEvery, double collideDb) {
        public Config(InetAddress bind, int port, int meters, List<ErtProtocol> protocols, long seed, double intervalSeconds,
                      double snrDb, double maxOffsetHz, long sampleRate, Path manifest, boolean paced) {
            this(bind, port, meters, protocols, seed, intervalSeconds, snrDb, maxOffsetHz, sampleRate, manifest, paced, 0, false, 0);
        }

        /** Without collisions. */
        public Config(InetAddress bind, int port, int meters, List<ErtProtocol> protocols, long seed, double intervalSeconds,
                      double snrDb, double maxOffsetHz, long sampleRate, Path manifest, boolean paced,
                      double wedgeAfterSeconds, boolean wedgeConstant, int badEvery) {
            this(bind, port, meters, protocols, seed, intervalSeconds, snrDb, maxOffsetHz, sampleRate, manifest, paced,
                    wedgeAfterSeconds, wedgeConstant, badEvery, 0, 0);
        }
    }

    private static final int BLOCK = 16384;
    /** The simulator's intervals when none is given (a few tens of seconds, as such meters send). */
    static double defaultInterval(ErtProtocol p) { return p.isR900() ? 15 : 30; }

    private final Config cfg;
    private final List<VirtualRadioMeter> meters = new ArrayList<>();
    private final double[] offsets;
    private final double[] nextSeconds;
    private final Random random;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Map<Integer, Long> commands = new ConcurrentHashMap<>();
    private final AtomicLong stallUntilNanos = new AtomicLong();
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private volatile long sampleRate;
    private volatile boolean closed;
    private volatile boolean silent;
    private volatile Socket client;
    private double streamSeconds;
    private long packetsSent;
    private long packetsBad;
    private long scheduled;
    private long collisions;
    /** The meters whose packets collide with ours on demand, one per protocol. */
    private final Map<ErtProtocol, VirtualRadioMeter> interferers = new java.util.EnumMap<>(ErtProtocol.class);

    public RtlTcpServer(Config cfg) throws IOException {
        this.cfg = cfg;
        this.random = new Random(cfg.seed());
        this.sampleRate = cfg.sampleRate();
        ErtDemodulator.chipLength(cfg.sampleRate());
        for (int i = 0; i < cfg.meters(); i++) meters.add(VirtualRadioMeter.random(cfg.protocols().get(i % cfg.protocols().size()), random));
        offsets = new double[meters.size()];
        nextSeconds = new double[meters.size()];
        for (int i = 0; i < meters.size(); i++) {
            offsets[i] = (random.nextDouble() * 2 - 1) * cfg.maxOffsetHz();
            double interval = interval(meters.get(i).protocol());
            nextSeconds[i] = 0.05 + interval * (i + 0.5) / meters.size();
        }
        writeManifest();
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(cfg.bind(), cfg.port()));
        acceptor = new Thread(this::acceptLoop, "rtltcp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private double interval(ErtProtocol p) { return cfg.intervalSeconds() > 0 ? cfg.intervalSeconds() : defaultInterval(p); }

    public int port() { return server.getLocalPort(); }

    /** The last argument of each command received, by command byte. */
    public Map<Integer, Long> commands() { return Map.copyOf(commands); }

    /** Stops the stream for {@code millis} while the connection stays open (a stalled dongle). */
    public void stall(long millis) { stallUntilNanos.set(System.nanoTime() + millis * 1_000_000); }

    /** The meters fall silent (packets on the air are finished); the stream goes on with noise. */
    public void silence() { silent = true; }

    /** Drops the current client's connection (a dongle unplugged). */
    public void dropClient() throws IOException {
        Socket s = client;
        if (s != null) s.close();
    }

    public synchronized long packetsSent() { return packetsSent; }

    /** The meters, for tests. */
    public synchronized List<VirtualRadioMeter> meters() { return List.copyOf(meters); }

    private void acceptLoop() {
        while (!closed) {
            try (Socket s = server.accept()) {
                client = s;
                s.setTcpNoDelay(true);
                serve(s);
            } catch (IOException e) {
                if (closed) return;
            } finally {
                client = null;
            }
        }
    }

    private void serve(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(ByteBuffer.allocate(12).put("RTL0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(5).putInt(29).array()); // R820T, 29 gains
        out.flush();
        Thread reader = new Thread(() -> readCommands(s), "rtltcp-commands");
        reader.setDaemon(true);
        reader.start();
        long rate = sampleRate;
        RadioChannel channel = new RadioChannel(ErtDemodulator.chipLength(rate), cfg.snrDb(), random.nextLong());
        byte[] buf = new byte[BLOCK * 2];
        long started = System.nanoTime();
        long samplesOut = 0;
        while (!closed && !s.isClosed()) {
            if (wedged()) {
                if (cfg.wedgeConstant()) {
                    java.util.Arrays.fill(buf, (byte) 127);
                    out.write(buf);
                }
                sleepNanos(BLOCK * 1_000_000_000L / rate);
                continue;
            }
            if (System.nanoTime() < stallUntilNanos.get()) {
                sleepNanos(10_000_000);
                started = System.nanoTime();
                samplesOut = 0;
                continue;
            }
            if (sampleRate != rate) { // the client set another valid rate: a new channel at its chip length
                rate = sampleRate;
                channel = new RadioChannel(ErtDemodulator.chipLength(rate), cfg.snrDb(), random.nextLong());
                started = System.nanoTime();
                samplesOut = 0;
            }
            schedule(channel, rate);
            List<Runnable> ended = channel.render(buf, BLOCK);
            out.write(buf);
            for (Runnable r : ended) r.run();
            samplesOut += BLOCK;
            synchronized (this) {
                streamSeconds += (double) BLOCK / rate;
            }
            if (cfg.paced()) {
                long due = started + samplesOut * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) sleepNanos(wait);
            }
        }
    }

    private synchronized boolean wedged() { return cfg.wedgeAfterSeconds() > 0 && streamSeconds >= cfg.wedgeAfterSeconds(); }

    /** Puts on the air every packet whose time falls in the next block. */
    private synchronized void schedule(RadioChannel channel, long rate) {
        double blockEnd = streamSeconds + (double) BLOCK / rate;
        if (silent) return;
        for (int i = 0; i < meters.size(); i++) {
            while (nextSeconds[i] < blockEnd) {
                VirtualRadioMeter m = meters.get(i);
                Map<String, Long> f = m.next(random);
                long value = m.consumption();
                byte[] chips = ErtModulator.chips(m.protocol(), f, m.intervals());
                ErtPacket packet = packet(m.protocol(), f, m.intervals());
                long at = channel.now() + Math.max(0, Math.round((nextSeconds[i] - streamSeconds) * rate));
                boolean bad = cfg.badEvery() > 0 && ++scheduled % cfg.badEvery() == 0;
                if (bad) damage(m.protocol(), chips);
                channel.schedule(new RadioChannel.Transmission(at, chips, offsets[i], bad ? this::badSent : () -> sent(m, value, packet)));
                if (cfg.collideEvery() > 0 && scheduled % cfg.collideEvery() == 0) collide(channel, m.protocol(), at, channel.duration(chips));
                nextSeconds[i] += interval(m.protocol());
            }
        }
    }

    /**
     * A collision: a packet of an interfering meter of the same protocol (not one of {@link #meters()}: it is listed
     * under {@code interferers} in the manifest), {@code collideDb} weaker, starting somewhere in the middle half of the
     * packet at {@code at} and lasting {@code length} samples, on another carrier offset.
     */
    private void collide(RadioChannel channel, ErtProtocol p, long at, long length) {
        VirtualRadioMeter ghost = interferers.computeIfAbsent(p, k -> VirtualRadioMeter.random(k, random));
        Map<String, Long> f = ghost.next(random);
        long value = ghost.consumption();
        byte[] chips = ErtModulator.chips(p, f, ghost.intervals());
        ErtPacket packet = packet(p, f, ghost.intervals());
        long start = at + length / 4 + (long) (random.nextDouble() * length / 2);
        double amplitude = RadioChannel.AMPLITUDE * Math.pow(10, -cfg.collideDb() / 20);
        double offset = (random.nextDouble() * 2 - 1) * cfg.maxOffsetHz();
        collisions++;
        channel.schedule(new RadioChannel.Transmission(start, chips, offset, () -> interfererSent(ghost, value, packet), amplitude));
    }

    private void interfererSent(VirtualRadioMeter ghost, long value, ErtPacket packet) {
        synchronized (this) {
            ghost.markSent(value, packet, java.time.Instant.now());
        }
        writeManifest();
    }

    /** Inverts one Manchester bit after the preamble, or (R900) three digits of three symbols. */
    private static void damage(ErtProtocol p, byte[] chips) {
        int pre = p.preamble().length();
        int[] at = p.isR900() ? new int[] {(pre - 1) * 2 + 8, (pre - 1) * 2 + 32, (pre - 1) * 2 + 64} : new int[] {pre * 2 + 10};
        for (int a : at) {
            for (int k = 0; k < (p.isR900() ? 4 : 2); k++) chips[a + k] ^= 1; // a digit's complement is another digit
        }
    }

    private synchronized void badSent() { packetsBad++; }

    /** Damaged packets sent so far. */
    public synchronized long packetsBad() { return packetsBad; }

    /** What a correct receiver decodes from these fields. */
    private static ErtPacket packet(ErtProtocol p, Map<String, Long> f, int[] intervals) {
        try {
            return p.isR900() ? ErtCodec.parseR900(p, ErtCodec.encodeR900(p, f)) : ErtCodec.parse(p, ErtCodec.encode(p, f, intervals));
        } catch (DecodeException e) {
            throw new IllegalStateException("the simulator built a packet its own codec refuses", e);
        }
    }

    private void sent(VirtualRadioMeter m, long value, ErtPacket packet) {
        synchronized (this) {
            m.markSent(value, packet, java.time.Instant.now());
            packetsSent++;
        }
        writeManifest();
    }

    private void readCommands(Socket s) {
        try {
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                int cmd = in.readUnsignedByte();
                long arg = in.readInt() & 0xFFFFFFFFL;
                commands.put(cmd, arg);
                if (cmd == 0x02) {
                    try {
                        ErtDemodulator.chipLength(arg);
                        sampleRate = arg;
                    } catch (IllegalArgumentException e) {
                        System.err.println("rtltcp: sample rate " + arg + " ignored: " + e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            // the client went away (EOF) or the connection closed: stop streaming to it
        }
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Writes the manifest atomically (temporary file, then rename). */
    public void writeManifest() {
        if (cfg.manifest() == null) return;
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        synchronized (this) {
            for (VirtualRadioMeter m : meters) list.add(m.manifest());
            root.put("meters", list);
            root.put("packets_sent", packetsSent);
            root.put("bad_packets_sent", packetsBad);
            if (cfg.collideEvery() > 0) {
                List<Object> ghosts = new ArrayList<>();
                for (VirtualRadioMeter g : interferers.values()) ghosts.add(g.manifest());
                root.put("interferers", ghosts);
                root.put("collisions", collisions);
            }
        }
        try {
            Path tmp = cfg.manifest().resolveSibling(cfg.manifest().getFileName() + ".tmp");
            json.writeValue(tmp.toFile(), root);
            Files.move(tmp, cfg.manifest(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("rtltcp: cannot write manifest " + cfg.manifest() + ": " + e.getMessage());
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        dropClient();
    }
}
