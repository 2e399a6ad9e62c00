package io.meterlink.sim.rtl;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.ert.ErtDemodulator;
import io.meterlink.drivers.ert.ErtPacket;
import io.meterlink.drivers.ert.ErtProtocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Property tests of the radio path: random packets of every protocol, modulated with noise and a
 * random carrier offset, demodulate to exactly what was sent; noise alone never gives a reading.
 */
class ErtRadioRoundTripTest {
    record Heard(List<ErtPacket> packets, List<DecodeException> refused) {}

    static Heard listen(RadioChannel ch, long samples, ErtProtocol... protocols) {
        Heard h = new Heard(new ArrayList<>(), new ArrayList<>());
        ErtDemodulator d = new ErtDemodulator(ch.chipLength(), EnumSet.of(protocols[0], protocols), new ErtDemodulator.Listener() {
            @Override public void packet(ErtPacket p, long sample) { h.packets.add(p); }

            @Override public void refused(ErtProtocol p, DecodeException e, long sample) { h.refused.add(e); }
        });
        byte[] buf = new byte[2 * 16384];
        for (long done = 0; done < samples; done += 16384) {
            ch.render(buf, 16384);
            d.feedU8(buf, 0, buf.length);
        }
        d.flush();
        return h;
    }

    @ParameterizedTest
    @EnumSource(ErtProtocol.class)
    void randomPackets_roundTrip_atEveryProtocol(ErtProtocol p) {
        Random rnd = new Random(p.ordinal() * 31L + 7);
        for (int chip : new int[] {72, 32, 8}) {
            RadioChannel ch = new RadioChannel(chip, 10, rnd.nextLong());
            List<VirtualRadioMeter> meters = new ArrayList<>();
            List<Map<String, Long>> sent = new ArrayList<>();
            long at = 1000;
            for (int i = 0; i < 25; i++) {
                VirtualRadioMeter m = VirtualRadioMeter.random(p, rnd);
                Map<String, Long> f = m.next(rnd);
                byte[] chips = ErtModulator.chips(p, f, m.intervals());
                ch.schedule(new RadioChannel.Transmission(at, chips, rnd.nextInt(40_001) - 20_000, null));
                at += ch.duration(chips) + rnd.nextInt(20 * chip * 2) + 5L * chip;
                meters.add(m);
                sent.add(f);
            }
            Heard h = listen(ch, at + 2000, p);
            assertEquals(meters.size(), h.packets.size(), () -> p + " chip " + chip + ": " + h.packets + " refused " + h.refused);
            for (int i = 0; i < meters.size(); i++) {
                ErtPacket got = h.packets.get(i);
                VirtualRadioMeter m = meters.get(i);
                assertEquals(p, got.protocol());
                assertEquals(m.id(), got.id());
                assertEquals(m.consumption(), got.consumption());
                assertEquals(m.type() & (p.isR900() ? 0xFF : 0x0F), got.ertType());
                for (Map.Entry<String, Long> e : got.fields().entrySet()) {
                    if (sent.get(i).containsKey(e.getKey())) assertEquals(sent.get(i).get(e.getKey()), e.getValue(), e.getKey());
                }
                if (p == ErtProtocol.IDM || p == ErtProtocol.NETIDM) {
                    int[] iv = got.intervals(), want = m.intervals();
                    int width = p == ErtProtocol.IDM ? 9 : 14;
                    for (int k = 0; k < iv.length; k++) assertEquals(want[k] & ((1 << width) - 1), iv[k]);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void noiseAlone_neverGivesAReading(long seed) {
        RadioChannel ch = new RadioChannel(72, 10, seed); // noise only: nothing scheduled
        Heard h = listen(ch, 2_359_296L * 2, ErtProtocol.SCM, ErtProtocol.SCM_PLUS, ErtProtocol.IDM, ErtProtocol.R900);
        assertEquals(List.of(), h.packets);
        Heard bcd = listen(new RadioChannel(8, 0, seed), 262_144L * 4, ErtProtocol.NETIDM, ErtProtocol.R900BCD);
        assertEquals(List.of(), bcd.packets);
    }
}
