package io.meterlink.sim.model;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.drivers.mbus.MbusDecoder;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.mbus.MbusReadingMapper;
import io.meterlink.drivers.mbus.MbusTelegram;
import io.meterlink.sim.mbus.VirtualMbusBus;
import io.meterlink.sim.mbus.VirtualMbusSlave;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** A VirtualMbusSlave driven by a MeterModel: the decoded frames carry the model's registers. */
class ModelDrivenMbusSlaveTest {
    private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
    private final AtomicReference<Instant> now = new AtomicReference<>(START);
    private final Clock clock = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    private static List<Reading> decode(byte[] frame) throws Exception {
        MbusTelegram t = new MbusDecoder().decode((MbusFrame.Long) MbusFramer.parse(frame));
        return new MbusReadingMapper(ZoneOffset.UTC).toReadings(t, Instant.EPOCH, null);
    }

    private static BigDecimal volume(List<Reading> rs) {
        return rs.stream().filter(r -> r.quantity() == Quantity.VOLUME).findFirst().orElseThrow().value();
    }

    private VirtualMbusSlave slave(MeterModel m) {
        return new VirtualMbusSlave(5, "55555555", "KAM", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, m, 1);
    }

    @Test
    void reverseFlowModel_frameVolumeFollowsModelDown() throws Exception {
        MeterModel m = new ReverseFlow(new ConstantFlow(START, 2_000, 0), START.plusSeconds(3600), Duration.ofHours(1), 500);
        VirtualMbusSlave s = slave(m);
        now.set(START.plusSeconds(3600));
        List<Reading> first = decode(s.answer(new MbusFrame.Short(0x7B, 5)));
        now.set(START.plusSeconds(7200));
        List<Reading> second = decode(s.answer(new MbusFrame.Short(0x5B, 5)));
        assertEquals(new BigDecimal("2"), volume(first), "2,000 l = 2 m3");
        assertEquals(new BigDecimal("1.5"), volume(second), "500 l ran back");
        assertEquals(second, s.ledger().get(1).readings().stream().map(r -> new Reading(r.meter(), r.quantity(), r.unit(), r.value(),
                r.function(), r.storage(), r.tariff(), r.subunit(), r.meterTime(), Instant.EPOCH, r.status(), r.rssiDbm())).toList());
    }

    @Test
    void silentModel_slaveStopsAnswering_andIsNotSelectable() {
        VirtualMbusSlave s = slave(new SilentFrom(new ConstantFlow(START, 0, 60), START.plusSeconds(60)));
        assertNotNull(s.answer(new MbusFrame.Short(0x40, 5)));
        now.set(START.plusSeconds(60));
        assertFalse(s.answersNow());
        assertNull(s.answer(new MbusFrame.Short(0x40, 5)));
        assertNull(s.answer(new MbusFrame.Short(0x7B, 5)));
        VirtualMbusBus bus = new VirtualMbusBus(List.of(s));
        byte[] wildcard = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertNull(bus.handle(new MbusFrame.Long(0x53, 253, 0x52, wildcard)), "a silent meter does not answer a selection");
    }

    @Test
    void driftModel_meterTimeInFrameIsAhead() throws Exception {
        VirtualMbusSlave s = slave(new ClockDrift(new ConstantFlow(START, 0, 60), START, 1_000)); // 86.4 s a day
        now.set(START.plus(Duration.ofDays(10)).plusSeconds(10));
        List<Reading> rs = decode(s.answer(new MbusFrame.Short(0x7B, 5)));
        assertEquals(START.plus(Duration.ofDays(10)).plusSeconds(14 * 60), rs.get(0).meterTime(), "864 s ahead, minute resolution");
    }
}
