package io.meterlink.drivers.mbus;

import io.meterlink.core.status.StaleMeter;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.testing.ScriptedLine;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static io.meterlink.drivers.testing.Hex.bytes;
import static org.junit.jupiter.api.Assertions.*;

class MbusDriverTest {

    @Test
    void serviceLoader_findsMbusFactory() {
        assertTrue(ServiceLoader.load(DriverFactory.class).stream().anyMatch(p -> p.get().type().equals("mbus")));
    }

    @Test
    void configure_validSerial_givesSpec() {
        MapSettings s = new MapSettings(Map.of("transport", "serial", "port", "/dev/ttyUSB0", "baud", 9600,
                "poll_interval", "30s", "meters", List.of(Map.of("address", 1, "name", "a"), Map.of("address", 2))));
        assertNotNull(new MbusDriverFactory().configure(s));
        s.finish();
        assertEquals(List.of(), s.errors());
    }

    @Test
    void configure_badValues_reportsEveryError() {
        MapSettings s = new MapSettings(Map.of("transport", "tcp", "host", "gw", "baud", 1200,
                "meters", List.of(Map.of("address", 251), Map.of("address", 3, "colour", "red"), Map.of("address", 3))));
        assertNull(new MbusDriverFactory().configure(s));
        List<String> e = s.errors();
        assertTrue(e.stream().anyMatch(x -> x.startsWith("baud")), e.toString());
        assertTrue(e.stream().anyMatch(x -> x.startsWith("tcp_port")), e.toString());
        assertTrue(e.stream().anyMatch(x -> x.startsWith("meters[0].address")), e.toString());
        assertTrue(e.stream().anyMatch(x -> x.equals("meters[1].colour: unknown key")), e.toString());
        assertTrue(e.stream().anyMatch(x -> x.startsWith("meters[2].address") && x.contains("twice")), e.toString());
    }

    @Test
    void configure_noMeters_isAnError() {
        MapSettings s = new MapSettings(Map.of("port", "/dev/ttyS0"));
        assertNull(new MbusDriverFactory().configure(s));
        assertTrue(s.errors().stream().anyMatch(x -> x.startsWith("meters")));
    }

    @Test
    void driver_silentMeterReported_othersStillRead() throws Exception {
        String header = "78 56 34 12 2D 2C 01 07 2A 00 00 00";
        ScriptedLine line = new ScriptedLine(req -> {
            if (req.address() == 2) return null; // silent meter
            if (req.control() == 0x40) return bytes("E5");
            return new MbusFrame.Long(0x08, req.address(), 0x72, bytes(header + " 04 13 01 00 00 00")).toBytes();
        });
        Recording rec = new Recording(Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC));
        MbusDriverConfig cfg = new MbusDriverConfig("scripted", 2400, Duration.ofSeconds(1), 30, 2, ZoneOffset.UTC,
                List.of(new MbusDriverConfig.Meter(1, null), new MbusDriverConfig.Meter(2, null), new MbusDriverConfig.Meter(3, null)));
        try (MbusDriver d = new MbusDriver(cfg, line, rec)) {
            d.start();
            await(() -> rec.readings.size() >= 2 && !rec.silent.isEmpty());
        }
        assertEquals("2", rec.silent.get(0));
        assertTrue(rec.heard.stream().allMatch(m -> m.toString().equals("mbus:KAM:12345678")));
        assertEquals(0, rec.readings.get(0).value().compareTo(new java.math.BigDecimal("0.001")));
        assertFalse(line.isOpen(), "transport closed with the driver");
    }

    private static final String HEADER = "78 56 34 12 2D 2C 01 07 2A 00 00 00"; // id 12345678, KAM, version 1, water (EN 13757-3 §6.3)
    private static final MeterId HEARD = MeterId.of("mbus:KAM:12345678");

    /** A line where meter 1 answers with volume 0.001 m³ until {@code silent} is set. */
    private static ScriptedLine meterAt1(AtomicBoolean silent) {
        return new ScriptedLine(req -> {
            if (req.address() != 1 || silent.get()) return null;
            if (req.control() == 0x40) return bytes("E5");
            return new MbusFrame.Long(0x08, 1, 0x72, bytes(HEADER + " 04 13 01 00 00 00")).toBytes();
        });
    }

    private static MbusDriverConfig hourly() {
        // an hour between cycles: after the first cycle only readNow makes the driver talk
        return new MbusDriverConfig("scripted", 2400, Duration.ofHours(1), 30, 1, ZoneOffset.UTC,
                List.of(new MbusDriverConfig.Meter(1, "flat 1")));
    }

    @Test
    void readNow_heardMeter_returnsFreshReadings_andHandsThemToTheSink() throws Exception {
        Recording rec = new Recording(Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC));
        ScriptedLine line = meterAt1(new AtomicBoolean());
        try (MbusDriver d = new MbusDriver(hourly(), line, rec)) {
            d.start();
            await(() -> rec.readings.size() == 1);
            int requestsBefore = line.requests().size();

            List<Reading> now = d.readNow(HEARD).get(30, TimeUnit.SECONDS);

            assertEquals(1, now.size());
            assertEquals(HEARD, now.get(0).meter());
            assertEquals(0, now.get(0).value().compareTo(new BigDecimal("0.001")));
            assertEquals(2, rec.readings.size(), "read-now readings also reach the sink");
            assertEquals(now.get(0), rec.readings.get(1));
            assertTrue(line.requests().size() > requestsBefore, "the meter was asked again");
        }
    }

    @Test
    void readNow_unknownMeter_completesExceptionally() throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        try (MbusDriver d = new MbusDriver(hourly(), meterAt1(new AtomicBoolean()), rec)) {
            d.start();
            await(() -> rec.readings.size() == 1);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> d.readNow(MeterId.of("mbus:KAM:99999999")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(NoSuchElementException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("mbus:KAM:99999999"), e.getCause().getMessage());
        }
    }

    @Test
    void readNow_meterFallsSilent_completesWithTimeout() throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        AtomicBoolean silent = new AtomicBoolean();
        try (MbusDriver d = new MbusDriver(hourly(), meterAt1(silent), rec)) {
            d.start();
            await(() -> rec.readings.size() == 1);
            silent.set(true);
            ExecutionException e = assertThrows(ExecutionException.class, () -> d.readNow(HEARD).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
            assertEquals(List.of("1"), rec.silent);
        }
    }

    @Test
    void readNow_afterClose_completesWithIllegalState() throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        MbusDriver d = new MbusDriver(hourly(), meterAt1(new AtomicBoolean()), rec);
        d.start();
        await(() -> rec.readings.size() == 1);
        d.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> d.readNow(HEARD).get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    private static void await(BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) fail("condition not met in 30 s");
            Thread.sleep(20);
        }
    }

    @Test
    void driver_meterThatStopsAnswering_isStaleInStatus_whileTheOthersAreStillRead() throws Exception {
        AtomicBoolean twoSilent = new AtomicBoolean();
        ScriptedLine line = new ScriptedLine(req -> {
            if (req.address() == 2 && twoSilent.get()) return null;
            if (req.control() == 0x40) return bytes("E5");
            String id = req.address() == 1 ? "11 11 11 11" : "22 22 22 22";
            return new MbusFrame.Long(0x08, req.address(), 0x72, bytes(id + " 2D 2C 01 07 2A 00 00 00 04 13 01 00 00 00")).toBytes();
        });
        io.meterlink.core.runtime.HealthRegistry health = new io.meterlink.core.runtime.HealthRegistry(Clock.systemUTC(), Duration.ofMinutes(15), 100);
        List<Reading> readings = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.meterlink.core.api.driver.DriverContext context = new io.meterlink.core.api.driver.DriverContext() {
            private final io.meterlink.core.api.driver.Health h = health.forSource("line1", Duration.ofMinutes(15));
            @Override public String sourceName() { return "line1"; }
            @Override public io.meterlink.core.api.driver.ReadingSink sink() { return readings::addAll; }
            @Override public io.meterlink.core.api.driver.Health health() { return h; }
            @Override public Clock clock() { return Clock.systemUTC(); }
        };
        MbusDriverConfig cfg = new MbusDriverConfig("scripted", 2400, Duration.ofMillis(50), 30, 1, ZoneOffset.UTC,
                List.of(new MbusDriverConfig.Meter(1, null), new MbusDriverConfig.Meter(2, null)));
        try (MbusDriver d = new MbusDriver(cfg, line, context)) {
            d.start();
            await(() -> readings.stream().anyMatch(r -> r.meter().equals(MeterId.of("mbus:KAM:22222222"))));
            assertTrue(health.staleMeters().isEmpty(), "both answered: " + health.staleMeters());
            twoSilent.set(true);
            await(() -> health.staleMeters().contains(new StaleMeter.Silent("line1", "2")));
            long fromOne = readings.stream().filter(r -> r.meter().equals(MeterId.of("mbus:KAM:11111111"))).count();
            await(() -> readings.stream().filter(r -> r.meter().equals(MeterId.of("mbus:KAM:11111111"))).count() > fromOne);
        }
        assertEquals(List.of(new StaleMeter.Silent("line1", "2")), health.staleMeters(), "meter 1 still answers, meter 2 is stale");
    }
}
