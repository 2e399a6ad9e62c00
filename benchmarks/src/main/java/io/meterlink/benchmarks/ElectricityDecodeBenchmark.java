package io.meterlink.benchmarks;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.crc.Crc16;
import io.meterlink.drivers.p1.P1FrameDecoder;
import io.meterlink.drivers.sml.SmlFrameDecoder;
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

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Decode throughput of the electricity families on one thread, through their {@link FrameDecoder}
 * sessions as {@code meterlink decode} uses them: the bytes of one telegram or SML file fed to a
 * stream session, one {@link DecodedFrame} out (framing, CRC, data sets or TL fields, OBIS mapping,
 * exact unit conversion). One operation = one telegram / one SML file.
 * <ul>
 *   <li>{@code p1Dsmr5}: a DSMR 5 telegram of 29 data sets with its CRC-16 (built here);</li>
 *   <li>{@code smlFile}: an SML file (Open.Res, GetList.Res with 8 entries, Close.Res) in transport
 *       v1 with its X-25 CRC (built here by a small TL encoder).</li>
 * </ul>
 * Each iteration also prints the operations per second of CPU time the benchmark thread was given
 * ({@code [cpu]} lines): on a machine shared with other work, the wall-clock score is only a floor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class ElectricityDecodeBenchmark {
    private byte[] p1;
    private byte[] sml;
    private FrameDecoder.Session p1Session;
    private FrameDecoder.Session smlSession;
    private Blackhole hole;
    private final FrameDecoder.Sink sink = new FrameDecoder.Sink() {
        @Override public void frame(DecodedFrame frame, long inputOffset) { hole.consume(frame); }

        @Override public void error(DecodeException error, long inputOffset) { throw new IllegalStateException("benchmark input refused", error); }
    };

    @Setup
    public void setup(Blackhole bh) {
        hole = bh;
        p1 = buildP1Telegram();
        sml = buildSmlFile();
        p1Session = new P1FrameDecoder().open(FrameDecoder.Options.none());
        smlSession = new SmlFrameDecoder().open(FrameDecoder.Options.none());
    }

    @Benchmark
    public void p1Dsmr5() {
        p1Session.feed(p1, 0, p1.length, sink);
        cpu.count();
    }

    @Benchmark
    public void smlFile() {
        smlSession.feed(sml, 0, sml.length, sink);
        cpu.count();
    }

    // --- ops per CPU second of the benchmark thread: on a shared machine the wall-clock score is a floor ---

    private final ThreadCpuRate cpu = new ThreadCpuRate();

    @Setup(Level.Iteration)
    public void startCpu() { cpu.start(); }

    @TearDown(Level.Iteration)
    public void stopCpu() { cpu.stop(); }

    static byte[] buildP1Telegram() {
        String body = String.join("\r\n", "/ISk5\\2MT382-1000", "", "1-3:0.2.8(50)", "0-0:1.0.0(101209113020W)",
                "0-0:96.1.1(4B384547303034303436333935353037)", "1-0:1.8.1(123456.789*kWh)", "1-0:1.8.2(123456.789*kWh)",
                "1-0:2.8.1(123456.789*kWh)", "1-0:2.8.2(123456.789*kWh)", "0-0:96.14.0(0002)", "1-0:1.7.0(01.193*kW)",
                "1-0:2.7.0(00.000*kW)", "0-0:96.7.21(00004)", "0-0:96.7.9(00002)",
                "1-0:99.97.0(2)(0-0:96.7.19)(101208152415W)(0000000240*s)(101208151004W)(0000000301*s)",
                "1-0:32.32.0(00002)", "1-0:32.36.0(00000)", "0-0:96.13.0()", "1-0:32.7.0(220.1*V)", "1-0:52.7.0(220.2*V)",
                "1-0:72.7.0(220.3*V)", "1-0:31.7.0(001*A)", "1-0:51.7.0(002*A)", "1-0:71.7.0(003*A)", "1-0:21.7.0(01.111*kW)",
                "1-0:41.7.0(02.222*kW)", "1-0:61.7.0(03.333*kW)", "0-1:24.1.0(003)",
                "0-1:96.1.0(3232323241424344313233343536373839)", "0-1:24.2.1(101209112500W)(12785.123*m3)", "!");
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        return (body + String.format("%04X\r\n", Crc16.ARC.of(b, 0, b.length))).getBytes(StandardCharsets.US_ASCII);
    }

    // --- a minimal SML encoder (SML 1.04 §6.3 TL fields) -------------------------------------------

    private static void octets(ByteArrayOutputStream o, byte[] b) {
        o.write(b.length + 1);
        o.writeBytes(b);
    }

    private static void uint(ByteArrayOutputStream o, long v, int bytes) {
        o.write(0x60 | bytes + 1);
        for (int i = bytes - 1; i >= 0; i--) o.write((int) (v >>> 8 * i));
    }

    private static void sint(ByteArrayOutputStream o, long v, int bytes) {
        o.write(0x50 | bytes + 1);
        for (int i = bytes - 1; i >= 0; i--) o.write((int) (v >>> 8 * i));
    }

    private static void list(ByteArrayOutputStream o, int n) { o.write(0x70 | n); }

    private static void message(ByteArrayOutputStream o, int id, int tag, byte[] content) {
        list(o, 6);
        octets(o, new byte[] {(byte) id});
        uint(o, 0, 1);
        uint(o, 0, 1);
        list(o, 2);
        uint(o, tag, 2);
        o.writeBytes(content);
        uint(o, 0, 2); // message CRC (not checked: the file CRC covers it)
        o.write(0);
    }

    private static void entry(ByteArrayOutputStream o, byte[] obis, int unit, int scaler, long value, int bytes) {
        list(o, 7);
        octets(o, obis);
        o.write(1);
        o.write(1);
        uint(o, unit, 1);
        sint(o, scaler, 1);
        sint(o, value, bytes);
        o.write(1);
    }

    static byte[] buildSmlFile() {
        byte[] server = {0x0A, 0x01, 'E', 'M', 'H', 0x00, 0x00, (byte) 0xA1, (byte) 0xBD, 0x34};
        ByteArrayOutputStream open = new ByteArrayOutputStream();
        list(open, 6);
        open.write(1);
        open.write(1);
        octets(open, new byte[] {1, 2, 3});
        octets(open, server);
        open.write(1);
        uint(open, 2, 1);
        ByteArrayOutputStream get = new ByteArrayOutputStream();
        list(get, 7);
        get.write(1);
        octets(get, server);
        octets(get, new byte[] {1, 0, 98, 1, 0, (byte) 0xFF});
        get.write(1);
        list(get, 8);
        entry(get, new byte[] {1, 0, 1, 8, 0, (byte) 0xFF}, 30, -1, 83916488, 5);
        entry(get, new byte[] {1, 0, 1, 8, 1, (byte) 0xFF}, 30, -1, 83916000, 5);
        entry(get, new byte[] {1, 0, 2, 8, 0, (byte) 0xFF}, 30, -1, 262445726, 5);
        entry(get, new byte[] {1, 0, 16, 7, 0, (byte) 0xFF}, 27, -2, -35624, 3);
        entry(get, new byte[] {1, 0, 32, 7, 0, (byte) 0xFF}, 35, -1, 2301, 2);
        entry(get, new byte[] {1, 0, 52, 7, 0, (byte) 0xFF}, 35, -1, 2298, 2);
        entry(get, new byte[] {1, 0, 72, 7, 0, (byte) 0xFF}, 35, -1, 2310, 2);
        entry(get, new byte[] {1, 0, 14, 7, 0, (byte) 0xFF}, 44, -1, 500, 2);
        get.write(1);
        get.write(1);
        ByteArrayOutputStream close = new ByteArrayOutputStream();
        list(close, 1);
        close.write(1);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        message(data, 1, 0x0101, open.toByteArray());
        message(data, 2, 0x0701, get.toByteArray());
        message(data, 3, 0x0201, close.toByteArray());
        int fill = (4 - data.size() % 4) % 4;
        for (int i = 0; i < fill; i++) data.write(0);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(new byte[] {0x1B, 0x1B, 0x1B, 0x1B, 1, 1, 1, 1});
        f.writeBytes(data.toByteArray());
        f.writeBytes(new byte[] {0x1B, 0x1B, 0x1B, 0x1B, 0x1A, (byte) fill});
        byte[] b = f.toByteArray();
        int crc = Crc16.X25.of(b, 0, b.length);
        f.write(crc >> 8);
        f.write(crc & 0xFF);
        return f.toByteArray();
    }
}
