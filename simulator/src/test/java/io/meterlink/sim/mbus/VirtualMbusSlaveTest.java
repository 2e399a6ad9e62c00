package io.meterlink.sim.mbus;

import io.meterlink.drivers.testing.Recording;
import io.meterlink.core.api.Reading;
import io.meterlink.drivers.mbus.MbusDecoder;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.mbus.MbusReadingMapper;
import io.meterlink.drivers.mbus.MbusTelegram;
import io.meterlink.drivers.mbus.MbusDriver;
import io.meterlink.drivers.mbus.MbusDriverConfig;
import io.meterlink.sim.testing.Await;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class VirtualMbusSlaveTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:30Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    private VirtualMbusSlave heat(int telegrams) {
        return new VirtualMbusSlave(7, "12345678", "KAM", VirtualMbusSlave.Kind.HEAT, clock, ZoneOffset.UTC, 1_000_000, 600, telegrams);
    }

    private static List<Reading> decode(byte[] frame, Instant fallback) throws Exception {
        MbusTelegram t = new MbusDecoder().decode((MbusFrame.Long) MbusFramer.parse(frame));
        return new MbusReadingMapper(ZoneOffset.UTC).toReadings(t, Instant.EPOCH, fallback);
    }

    @Test
    void answer_sndNke_isAck() {
        assertArrayEquals(new byte[] {(byte) 0xE5}, heat(1).answer(new MbusFrame.Short(0x40, 7)));
    }

    @Test
    void answer_reqUd2_decodesToExactlyTheLedger() throws Exception {
        VirtualMbusSlave s = heat(1);
        byte[] frame = s.answer(new MbusFrame.Short(0x7B, 7));
        LedgerEntry e = s.ledger().get(0);
        List<String> decoded = decode(frame, null).stream().map(LedgerCheck::key).toList();
        assertEquals(e.readings().stream().map(LedgerCheck::key).toList(), decoded);
        assertEquals(Instant.parse("2026-03-01T12:00:00Z"), e.readings().get(0).meterTime(), "type F: minutes");
        assertEquals(7, decoded.size(), "volume, energy, power, flow and return temperature, difference, flow");
    }

    @Test
    void answer_sameFcb_repeatsTelegram_toggledFcb_generatesNew() {
        VirtualMbusSlave s = new VirtualMbusSlave(3, "00000042", "ABB", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, 0, 3600, 1);
        byte[] a = s.answer(new MbusFrame.Short(0x7B, 3));
        now.set(now.get().plusSeconds(3600));
        byte[] repeat = s.answer(new MbusFrame.Short(0x7B, 3));
        assertArrayEquals(a, repeat);
        assertEquals(1, s.ledger().size());
        s.answer(new MbusFrame.Short(0x5B, 3));
        assertEquals(2, s.ledger().size());
        BigDecimal v0 = s.ledger().get(0).readings().get(0).value();
        BigDecimal v1 = s.ledger().get(1).readings().get(0).value();
        assertEquals(0, new BigDecimal("3.6").compareTo(v1.subtract(v0)), "3600 l/h for one hour");
    }

    @Test
    void answer_multiTelegram_firstSignalsMoreRecords() throws Exception {
        VirtualMbusSlave s = heat(2);
        byte[] first = s.answer(new MbusFrame.Short(0x7B, 7));
        byte[] second = s.answer(new MbusFrame.Short(0x5B, 7));
        MbusDecoder d = new MbusDecoder();
        assertTrue(d.decode((MbusFrame.Long) MbusFramer.parse(first)).moreRecordsFollow());
        assertFalse(d.decode((MbusFrame.Long) MbusFramer.parse(second)).moreRecordsFollow());
        assertEquals(2, s.ledger().size());
    }

    @Test
    void silentSlave_neverAnswers() {
        VirtualMbusSlave s = heat(1);
        s.setSilent(true);
        assertNull(s.answer(new MbusFrame.Short(0x40, 7)));
        assertNull(s.answer(new MbusFrame.Short(0x7B, 7)));
    }

    @Test
    void inProcessLine_realDriverReadsLedgerExactly() throws Exception {
        Clock sys = Clock.systemUTC();
        VirtualMbusBus bus = new VirtualMbusBus(List.of(
                new VirtualMbusSlave(1, "11111111", "KAM", VirtualMbusSlave.Kind.WATER, sys, ZoneOffset.UTC, 5_000, 900, 1),
                new VirtualMbusSlave(2, "22222222", "ELS", VirtualMbusSlave.Kind.HEAT, sys, ZoneOffset.UTC, 70_000, 1200, 2)));
        Recording rec = new Recording(sys);
        MbusDriverConfig cfg = new MbusDriverConfig("inprocess", 2400, Duration.ofSeconds(1), 200, 2, ZoneOffset.UTC,
                List.of(new MbusDriverConfig.Meter(1, null), new MbusDriverConfig.Meter(2, null)));
        try (MbusDriver d = new MbusDriver(cfg, new InProcessMbusTransport(bus), rec)) {
            d.start();
            Await.until(() -> bus.slaves().stream().allMatch(s -> s.ledger().size() >= 2));
        }
        LedgerCheck.assertReceivedMatchesLedger(new ArrayList<>(rec.readings), bus);
        assertTrue(rec.silent.isEmpty());
    }
}
