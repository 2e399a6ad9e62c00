package io.meterlink.benchmarks;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.MbusDecoder;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.mbus.MbusReadingMapper;
import io.meterlink.drivers.wmbus.KeyLookup;
import io.meterlink.drivers.wmbus.WmbusDecoder;
import io.meterlink.drivers.wmbus.WmbusReadingMapper;
import io.meterlink.sim.mbus.RspUdBuilder;
import io.meterlink.sim.wmbus.RadioCrc;
import io.meterlink.sim.wmbus.VirtualWmbusMeter;
import io.meterlink.sim.wmbus.WmbusFrameBuilder.Security;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Decode throughput on one thread: bytes of one telegram in, {@link Reading}s out (frame checks,
 * decryption, record decoding and mapping to the reading model), round robin over a few hundred
 * varied telegrams built by the simulator's own encoders. One operation = one telegram.
 * <ul>
 *   <li>{@code wiredMbus}: RSP_UD long frames (water and heat meters, 5–8 records) through
 *       {@link MbusFramer#parse}, {@link MbusDecoder} and {@link MbusReadingMapper};</li>
 *   <li>{@code wmbusPlain}: unencrypted wireless telegrams, half with format A CRCs (as software
 *       radios give them), half without (as dongles give them), through {@link WmbusDecoder} and
 *       {@link WmbusReadingMapper};</li>
 *   <li>{@code wmbusMode5}: the same meters with security mode 5 (AES-128-CBC), a key per meter.</li>
 * </ul>
 * Each iteration also prints the telegrams per second of CPU time the benchmark thread was given
 * ({@code [cpu]} lines): on a machine shared with other builds the wall-clock score is only a floor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class DecodeBenchmark {
    private static final int METERS = 100;
    private static final int TELEGRAMS_PER_METER = 3;
    private static final Instant START = Instant.parse("2026-11-26T08:00:00Z");

    private byte[][] wired;
    private byte[][] plain;
    private byte[][] mode5;
    private KeyLookup keys;
    private final MbusDecoder mbusDecoder = new MbusDecoder();
    private final MbusReadingMapper mbusMapper = new MbusReadingMapper(ZoneOffset.UTC);
    private final WmbusReadingMapper wmbusMapper = new WmbusReadingMapper(ZoneOffset.UTC);
    private int iWired;
    private int iPlain;
    private int iMode5;

    /** A clock the setup moves forward by hand, so that the registers rise between telegrams. */
    private static final class ManualClock extends Clock {
        private Instant now = START;

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    @Setup
    public void setup() throws DecodeException {
        ManualClock clock = new ManualClock();
        Map<String, Secret> keyById = new HashMap<>();
        List<VirtualWmbusMeter> clear = new java.util.ArrayList<>();
        List<VirtualWmbusMeter> encrypted = new java.util.ArrayList<>();
        for (int m = 0; m < METERS; m++) {
            String id = String.format("%08d", 20_000_000 + m * 7919);
            String man = new String[] {"KAM", "ELS", "DME", "LAS", "SEN"}[m % 5];
            VirtualWmbusMeter.Kind kind = m % 3 == 0 ? VirtualWmbusMeter.Kind.HEAT : VirtualWmbusMeter.Kind.WATER;
            byte[] key = new byte[16];
            for (int i = 0; i < 16; i++) key[i] = (byte) (m * 31 + i * 7);
            keyById.put(id, Secret.of(HexFormat.of().formatHex(key)));
            String clearId = String.format("%08d", 30_000_000 + m * 7919); // no key: a keyed meter's plaintext is refused (issue 14)
            clear.add(new VirtualWmbusMeter(clearId, man, kind, Security.NONE, null, clock, ZoneOffset.UTC, 1_000L * m, 500 + 37L * m, -60 - m % 40));
            encrypted.add(new VirtualWmbusMeter(id, man, kind, Security.MODE5, key, clock, ZoneOffset.UTC, 1_000L * m, 500 + 37L * m, -60 - m % 40));
        }
        keys = KeyLookup.byId(keyById);
        int n = METERS * TELEGRAMS_PER_METER;
        plain = new byte[n][];
        mode5 = new byte[n][];
        wired = new byte[n][];
        for (int t = 0; t < TELEGRAMS_PER_METER; t++) {
            clock.now = START.plus(Duration.ofMinutes(17L * t));
            for (int m = 0; m < METERS; m++) {
                int i = t * METERS + m;
                byte[] p = clear.get(m).nextTelegram(-70);
                plain[i] = i % 2 == 0 ? RadioCrc.formatA(p) : p;
                mode5[i] = encrypted.get(m).nextTelegram(-70);
                wired[i] = wiredFrame(m, t, clock.now);
            }
        }
        // every telegram decodes to readings before anything is measured
        for (int i = 0; i < n; i++) {
            if (decodeWired(wired[i]).isEmpty() || decodeWireless(plain[i]).isEmpty() || decodeWireless(mode5[i]).isEmpty()) {
                throw new IllegalStateException("telegram " + i + " gave no readings");
            }
        }
    }

    private static byte[] wiredFrame(int m, int t, Instant now) {
        long litres = 1_000L * m + 100L * t;
        RspUdBuilder b = new RspUdBuilder(m % 250 + 1, String.format("%08d", 30_000_000 + m), "KAM", 1,
                m % 3 == 0 ? 0x04 : 0x07, t + m, 0).dateTimeF(LocalDateTime.ofInstant(now, ZoneOffset.UTC)).bcd8(0x13, litres);
        if (m % 3 == 0) {
            b.int32(0x06, litres / 10).int32(0x2B, 1500 + m).int16(0x5A, 600 + t).int16(0x5E, 400 + t).int16(0x61, 2000);
        } else {
            b.int16(0x66, 120 + m % 40);
        }
        return b.int32(0x3B, 500 + m).build();
    }

    private final ThreadCpuRate cpu = new ThreadCpuRate();

    @Setup(Level.Iteration)
    public void iterationStart() { cpu.start(); }

    @TearDown(Level.Iteration)
    public void iterationEnd() { cpu.stop(); }

    private List<Reading> decodeWired(byte[] bytes) throws DecodeException {
        MbusFrame f = MbusFramer.parse(bytes);
        return mbusMapper.toReadings(mbusDecoder.decode((MbusFrame.Long) f), START, null);
    }

    private List<Reading> decodeWireless(byte[] bytes) throws DecodeException {
        return wmbusMapper.toReadings(WmbusDecoder.decode(bytes, keys), START, -70);
    }

    @Benchmark
    public void wiredMbus(Blackhole bh) throws DecodeException {
        bh.consume(decodeWired(wired[iWired]));
        iWired = iWired + 1 == wired.length ? 0 : iWired + 1;
        cpu.count();
    }

    @Benchmark
    public void wmbusPlain(Blackhole bh) throws DecodeException {
        bh.consume(decodeWireless(plain[iPlain]));
        iPlain = iPlain + 1 == plain.length ? 0 : iPlain + 1;
        cpu.count();
    }

    @Benchmark
    public void wmbusMode5(Blackhole bh) throws DecodeException {
        bh.consume(decodeWireless(mode5[iMode5]));
        iMode5 = iMode5 + 1 == mode5.length ? 0 : iMode5 + 1;
        cpu.count();
    }
}
