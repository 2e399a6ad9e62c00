package io.meterlink.benchmarks;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.ert.ErtDemodulator;
import io.meterlink.drivers.ert.ErtPacket;
import io.meterlink.drivers.ert.ErtProtocol;
import io.meterlink.sim.rtl.ErtModulator;
import io.meterlink.sim.rtl.RadioChannel;
import io.meterlink.sim.rtl.VirtualRadioMeter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.EnumSet;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Demodulator throughput on one thread, in samples per second (an op = one I/Q sample): one second
 * of u8 I/Q at 2,359,296 S/s (72 samples per chip) from the simulator's radio channel at 20 dB SNR,
 * with 20 packets of the six protocols in it, fed in 64 KiB pieces (as rtl_tcp delivers them) to a
 * demodulator searching for every protocol. Real time needs 2,359,296 ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class ErtDemodBenchmark {
    private static final int RATE = 2_359_296;
    private byte[] iq;
    private ErtDemodulator demod;
    private Blackhole hole;
    private long packets;

    @Setup
    public void setup(Blackhole bh) {
        hole = bh;
        Random rnd = new Random(1);
        RadioChannel ch = new RadioChannel(72, 20, 1);
        ErtProtocol[] ps = ErtProtocol.values();
        for (int i = 0; i < 20; i++) {
            ErtProtocol p = ps[i % ps.length];
            VirtualRadioMeter m = VirtualRadioMeter.random(p, rnd);
            ch.schedule(new RadioChannel.Transmission(10_000 + i * 110_000L, ErtModulator.chips(p, m.next(rnd), m.intervals()), 5_000, null));
        }
        iq = new byte[RATE * 2];
        for (int at = 0; at < RATE; at += 16384) {
            byte[] block = new byte[16384 * 2];
            ch.render(block, 16384);
            System.arraycopy(block, 0, iq, at * 2, Math.min(block.length, iq.length - at * 2));
        }
        demod = new ErtDemodulator(72, EnumSet.allOf(ErtProtocol.class), new ErtDemodulator.Listener() {
            @Override public void packet(ErtPacket packet, long sample) { packets++; hole.consume(packet); }

            @Override public void refused(ErtProtocol protocol, DecodeException error, long sample) { hole.consume(error); }
        });
    }

    @Benchmark
    @OperationsPerInvocation(RATE)
    public long oneSecondOfSamples() {
        for (int i = 0; i < iq.length; i += 65536) demod.feedU8(iq, i, Math.min(65536, iq.length - i));
        return packets;
    }
}
