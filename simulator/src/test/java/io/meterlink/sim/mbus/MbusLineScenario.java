package io.meterlink.sim.mbus;

import io.meterlink.drivers.testing.Recording;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.sim.testing.Await;
import io.meterlink.sim.testing.Drivers;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shared integration scenario: three virtual slaves on one line (a water meter, a heat meter
 * answering in two telegrams, and a silent meter), line noise before some answers, and the real
 * {@code mbus} driver found through ServiceLoader polling them.
 */
public final class MbusLineScenario {
    static final byte[] NOISE = {0x00, 0x55, (byte) 0xAA, 0x01, (byte) 0xFF, 0x42};
    static final int NOISE_BURSTS = 3;

    final VirtualMbusBus bus;
    final Recording rec = new Recording(Clock.systemUTC());

    MbusLineScenario() {
        Clock clock = Clock.systemUTC();
        VirtualMbusSlave silent = new VirtualMbusSlave(3, "33333333", "SEN", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, 0, 100, 1);
        silent.setSilent(true);
        bus = new VirtualMbusBus(List.of(
                new VirtualMbusSlave(1, "11111111", "KAM", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, 123_456, 1800, 1),
                new VirtualMbusSlave(2, "22222222", "ELS", VirtualMbusSlave.Kind.HEAT, clock, ZoneOffset.UTC, 9_876_543, 2400, 2),
                silent));
        for (int i = 0; i < NOISE_BURSTS; i++) bus.injectNoiseBeforeNextAnswer(NOISE);
    }

    /** Settings shared by both transports; the caller adds the transport keys. */
    static Map<String, Object> settings(Map<String, Object> transport) {
        Map<String, Object> m = new HashMap<>(transport);
        m.put("poll_interval", "1s");
        m.put("timeout_ms", 1000);
        m.put("meters", List.of(Map.of("address", 1, "name", "water"), Map.of("address", 2, "name", "heat"),
                Map.of("address", 3, "name", "broken")));
        return m;
    }

    /** Runs the real driver until every answering slave generated 3 readouts and the silent one was reported. */
    void run(Map<String, Object> settingsMap) throws Exception {
        Driver driver = start(settingsMap);
        try {
            Await.until(() -> readouts(bus.slaves().get(0)) >= 3 && readouts(bus.slaves().get(1)) >= 3
                    && rec.silent.contains("3"));
        } finally {
            driver.close();
        }
    }

    /** Configures the real driver through its factory and starts it. */
    Driver start(Map<String, Object> settingsMap) {
        return Drivers.start("mbus", settingsMap, rec);
    }

    void assertOutcome() {
        assertTrue(rec.silent.stream().allMatch("3"::equals), "only the silent meter is reported silent: " + rec.silent);
        assertTrue(rec.heard.stream().map(Object::toString).toList().containsAll(List.of("mbus:KAM:11111111", "mbus:ELS:22222222")));
        assertTrue(rec.readings.stream().noneMatch(r -> r.meter().toString().equals("mbus:SEN:33333333")));
        long noise = rec.bad.stream().filter(k -> k == DecodeException.Kind.SYNTAX).count();
        assertTrue(noise >= NOISE_BURSTS, "each noise burst is counted as bad input, got " + rec.bad);
        assertTrue(rec.transportErrors.isEmpty(), "no transport error: " + rec.transportErrors);
        LedgerCheck.assertReceivedMatchesLedger(new ArrayList<>(rec.readings), bus);
        // meter time is the simulator's clock at generation, minute resolution (type F)
        Instant latest = rec.readings.get(rec.readings.size() - 1).meterTime();
        assertNotNull(latest);
        assertEquals(0, latest.getEpochSecond() % 60);
    }

    static long readouts(VirtualMbusSlave s) {
        return s.ledger().stream().map(LedgerEntry::generatedAt).distinct().count();
    }
}
