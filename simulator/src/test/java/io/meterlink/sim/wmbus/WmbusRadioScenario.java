package io.meterlink.sim.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.driver.ReadingSink;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.runtime.AcceptedListener;
import io.meterlink.core.runtime.BufferSink;
import io.meterlink.core.uplink.JsonPayloads;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.sim.testing.Drivers;
import io.meterlink.sim.wmbus.WmbusBroadcaster.Fault;
import io.meterlink.sim.wmbus.WmbusFrameBuilder.Security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shared wireless integration scenario: five virtual meters heard through one virtual dongle —
 * a water meter in clear, a heat meter with mode 5, a water meter with mode 7, a mode 5 meter whose
 * key the gateway has wrong, and a beacon used only to learn that the gateway listens — plus
 * deliberately bad input (CRC errors, a truncated frame, noise, telegrams encrypted with a wrong
 * key). The real {@code wmbus} driver, found through ServiceLoader, hands its readings to a
 * recording sink and through a real {@link BufferSink} into a real {@link SqliteBuffer}.
 */
final class WmbusRadioScenario implements AutoCloseable {
    static final String KEY_HEAT = "000102030405060708090A0B0C0D0E0F";
    static final String KEY_M7 = "F0E0D0C0B0A090807060504030201000";
    static final String KEY_LAS_REAL = "11111111111111111111111111111111";
    static final String KEY_LAS_CONFIGURED = "22222222222222222222222222222222";
    private static final Duration INTERVAL = Duration.ofMillis(400);
    private static final int ROUNDS = 5;

    final VirtualDongle dongle;
    final Recording rec = new Recording(Clock.systemUTC());
    final VirtualWmbusMeter water, heat, mode7, wrongKey, beacon;
    final List<VirtualWmbusMeter> good;
    private final SqliteBuffer buffer;
    private final Map<Long, String> stored = new ConcurrentHashMap<>();

    WmbusRadioScenario(VirtualDongle dongle, Path dir) {
        this.dongle = dongle;
        Clock clock = Clock.systemUTC();
        water = new VirtualWmbusMeter("11111111", "KAM", VirtualWmbusMeter.Kind.WATER, Security.NONE, null, clock, ZoneOffset.UTC, 123_456, 36_000, -61);
        heat = new VirtualWmbusMeter("22222222", "ELS", VirtualWmbusMeter.Kind.HEAT, Security.MODE5, hex(KEY_HEAT), clock, ZoneOffset.UTC, 9_876_543, 24_000, -83);
        mode7 = new VirtualWmbusMeter("33333333", "DME", VirtualWmbusMeter.Kind.WATER, Security.MODE7, hex(KEY_M7), clock, ZoneOffset.UTC, 5_000, 18_000, -97);
        wrongKey = new VirtualWmbusMeter("44444444", "LAS", VirtualWmbusMeter.Kind.WATER, Security.MODE5, hex(KEY_LAS_REAL), clock, ZoneOffset.UTC, 42, 3_600, -75);
        beacon = new VirtualWmbusMeter("99999999", "QDS", VirtualWmbusMeter.Kind.WATER, Security.NONE, null, clock, ZoneOffset.UTC, 0, 100, -50);
        good = List.of(water, heat, mode7);
        JsonPayloads json = new JsonPayloads("gw-wmbus-it");
        buffer = SqliteBuffer.open(new BufferConfig(dir.resolve("buffer.db"), 64 * BufferConfig.MIB, 0, Duration.ofMillis(20), 1000, false, 20_000),
                (seq, r) -> {
                    stored.put(seq, WmbusLedger.key(r));
                    return json.encode(seq, r);
                }, Clock.systemUTC());
    }

    /** The driver's source settings for this scenario; the caller adds the transport keys. */
    Map<String, Object> settings(Map<String, Object> transport) {
        Map<String, Object> m = new java.util.HashMap<>(transport);
        m.put("dongle", dongle.type());
        m.put("mode", "t1");
        m.put("accept_unknown", true);
        m.put("meters", List.of(
                Map.of("id", "11111111"),
                Map.of("id", "22222222", "manufacturer", "ELS", "key", KEY_HEAT),
                Map.of("id", "33333333", "key", KEY_M7),
                Map.of("id", "44444444", "key", KEY_LAS_CONFIGURED)));
        return m;
    }

    /**
     * Runs the real driver against the broadcaster: waits until the gateway hears the beacon, then
     * sends {@value #ROUNDS} rounds with bad input in between, and waits until everything sent was
     * either read or counted.
     */
    void run(Map<String, Object> settingsMap, DongleLink link) throws Exception {
        Driver driver = start(settingsMap);
        WmbusBroadcaster air = new WmbusBroadcaster(List.of(water, heat, mode7, wrongKey), dongle, link, INTERVAL, 42);
        try {
            awaitListening(link);
            int badBefore = rec.bad.size();
            air.inject(Fault.CRC_ERROR, water);
            air.inject(Fault.GARBAGE, null);
            air.inject(Fault.WRONG_KEY, heat);
            air.start();
            await("round 2", () -> air.rounds() >= 2);
            air.inject(Fault.TRUNCATED, mode7);
            air.inject(Fault.WRONG_KEY, mode7);
            air.inject(Fault.GARBAGE, null);
            air.inject(Fault.CRC_ERROR, heat);
            await(ROUNDS + " rounds", () -> air.rounds() >= ROUNDS && air.faultsSent().size() == 7);
            air.close();
            Map<Kind, Integer> expectedBad = expectedBad(air);
            await("every telegram read or counted",
                    () -> WmbusLedger.keys(goodReadings()).equals(WmbusLedger.generated(good)) && badMatches(badAfter(badBefore), expectedBad),
                    () -> "bad " + badAfter(badBefore) + " expected " + expectedBad + "; readings " + goodReadings().size()
                            + " of " + WmbusLedger.generated(good).size());
            await("every reading committed", () -> buffer.highestCommittedSeq() >= stored.size() && stored.size() >= rec.readings.size());
        } finally {
            air.close();
            driver.close();
        }
    }

    /**
     * Runs the real driver and sends each block of {@code hostile} bytes followed by one telegram of
     * the water meter; waits until every such telegram was read and the hostile input counted exactly
     * as {@code expected} (kinds not named: none).
     */
    void runHostile(Map<String, Object> settingsMap, DongleLink link, List<byte[]> hostile, Map<Kind, Integer> expected) throws Exception {
        Driver driver = start(settingsMap);
        try {
            awaitListening(link);
            int badBefore = rec.bad.size();
            for (byte[] h : hostile) {
                link.send(h);
                link.send(dongle.received(water.nextTelegram(dongle.reportedRssi(water.rssiDbm())), water.rssiDbm()));
            }
            await("every telegram after the hostile bytes read, the hostile bytes counted",
                    () -> WmbusLedger.keys(rec.readings.stream().filter(r -> r.meter().equals(water.meterId())).toList())
                            .equals(WmbusLedger.generated(List.of(water))) && badAfter(badBefore).equals(new TreeMap<>(expected)),
                    () -> "bad " + badAfter(badBefore) + " expected " + expected + "; water telegrams " + water.ledger().size());
            assertTrue(rec.transportErrors.isEmpty(), "no transport error: " + rec.transportErrors);
        } finally {
            driver.close();
        }
    }

    /** Sends the beacon until the gateway hears it: the driver is listening. */
    private void awaitListening(DongleLink link) throws Exception {
        WmbusBroadcaster sync = new WmbusBroadcaster(List.of(beacon), dongle, link, Duration.ofMillis(200), 1);
        sync.start();
        try {
            await("the gateway hears the beacon", () -> rec.heard.contains(beacon.meterId()));
        } finally {
            sync.close();
        }
    }

    /** What the gateway must count: each fault once, and every telegram of the meter it has the wrong key for. */
    private Map<Kind, Integer> expectedBad(WmbusBroadcaster air) {
        Map<Kind, Integer> m = new TreeMap<>();
        for (WmbusBroadcaster.SentFault f : air.faultsSent()) {
            Kind k = switch (f.fault()) {
                case CRC_ERROR -> Kind.CHECKSUM;
                case TRUNCATED -> Kind.TRUNCATED;
                case GARBAGE -> dongle instanceof HexLineDongle ? Kind.SYNTAX : null; // dongle framers skip noise silently
                case WRONG_KEY -> f.meter().security() == Security.MODE7 ? Kind.AUTHENTICATION : Kind.WRONG_KEY;
            };
            if (k != null) m.merge(k, 1, Integer::sum);
        }
        m.merge(Kind.WRONG_KEY, wrongKey.ledger().size(), Integer::sum);
        return m;
    }

    private Map<Kind, Integer> badAfter(int from) {
        Map<Kind, Integer> m = new TreeMap<>();
        for (Kind k : rec.bad.subList(from, rec.bad.size())) m.merge(k, 1, Integer::sum);
        return m;
    }

    private List<Reading> goodReadings() {
        List<MeterId> ids = good.stream().map(VirtualWmbusMeter::meterId).toList();
        return rec.readings.stream().filter(r -> ids.contains(r.meter())).toList();
    }

    /** Configures the real driver through its factory and starts it, its readings going to the recording and the buffer. */
    private Driver start(Map<String, Object> settingsMap) {
        BufferSink toBuffer = new BufferSink(buffer, AcceptedListener.NONE);
        ReadingSink both = readings -> {
            rec.accept(readings);
            toBuffer.accept(readings);
        };
        return Drivers.start("wmbus", settingsMap, new DriverContext() {
            @Override public String sourceName() { return rec.sourceName(); }
            @Override public ReadingSink sink() { return both; }
            @Override public Health health() { return rec; }
            @Override public Clock clock() { return rec.clock(); }
        });
    }

    void assertOutcome() {
        // exactly the ledger, nothing invented, nothing lost (checked in run), with the RSSI the dongle reports
        assertEquals(WmbusLedger.generated(good), WmbusLedger.keys(goodReadings()));
        for (VirtualWmbusMeter m : good) {
            assertTrue(m.ledger().size() >= ROUNDS, m.id() + " sent " + m.ledger().size());
            Integer rssi = dongle.reportedRssi(m.rssiDbm());
            assertEquals(dongle instanceof HexLineDongle, rssi == null);
            assertTrue(goodReadings().stream().filter(r -> r.meter().equals(m.meterId())).allMatch(r -> java.util.Objects.equals(rssi, r.rssiDbm())));
        }
        assertTrue(rec.readings.stream().noneMatch(r -> r.meter().equals(wrongKey.meterId())), "no reading from the meter with the wrong key");
        assertFalse(rec.heard.contains(wrongKey.meterId()));
        List<MeterId> allowed = List.of(water.meterId(), heat.meterId(), mode7.meterId(), beacon.meterId());
        assertTrue(rec.readings.stream().allMatch(r -> allowed.contains(r.meter())), "no reading from elsewhere");
        assertTrue(rec.transportErrors.isEmpty(), "no transport error: " + rec.transportErrors);

        // end to end into the buffer: every reading the driver handed over is committed in SQLite and readable
        List<StoredReading> rows = buffer.read(0, 100_000, 64 * 1024 * 1024);
        assertEquals(rec.readings.size(), rows.size());
        List<String> storedGood = new ArrayList<>();
        for (StoredReading row : rows) {
            String key = stored.get(row.seq());
            assertNotNull(key, "row " + row.seq() + " was encoded by this run");
            String body = new String(row.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains(key.substring(0, key.indexOf('|'))), "body names its meter: " + body);
            if (!key.startsWith(beacon.meterId().toString())) storedGood.add(key);
        }
        storedGood.sort(null);
        assertEquals(WmbusLedger.generated(good), storedGood, "the buffer holds exactly the generated readings");
    }

    /**
     * Key and MAC refusals must match exactly (one per faulty telegram, never a reading). Frame-level
     * refusals may exceed the count: injected garbage can hold a dongle's start byte by chance, and the
     * made-up frame behind it is then refused too (counted, never a reading).
     */
    static boolean badMatches(Map<Kind, Integer> got, Map<Kind, Integer> expected) {
        java.util.Set<Kind> kinds = new java.util.HashSet<>(got.keySet());
        kinds.addAll(expected.keySet());
        for (Kind k : kinds) {
            int g = got.getOrDefault(k, 0), e = expected.getOrDefault(k, 0);
            boolean frameLevel = k == Kind.CHECKSUM || k == Kind.LENGTH || k == Kind.TRUNCATED || k == Kind.SYNTAX;
            if (frameLevel ? g < e : g != e) return false;
        }
        return true;
    }

    @Override
    public void close() { buffer.close(); }

    static byte[] hex(String s) { return HexFormat.of().parseHex(s); }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, condition, () -> "");
    }

    static void await(String what, BooleanSupplier condition, Supplier<String> detail) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) fail("timed out waiting for " + what + " " + detail.get());
            Thread.sleep(20);
        }
    }
}
