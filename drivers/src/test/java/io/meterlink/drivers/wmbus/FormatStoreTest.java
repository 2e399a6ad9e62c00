package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Compact-frame formats survive a restart (SQLite in the state directory) and can be seeded from driver files. */
class FormatStoreTest {
    /** A compact frame (CI 7B) of {@link TestFrames#plain}'s format: signature A5FE, full-frame CRC 931F, the values only. */
    private static final byte[] COMPACT = TestFrames.withL(Hex.bytes("44 2D2C 78563412 1B 16 7B 05 00 0000 A5FE 931F 78563412 5604 0000"));

    private static void assertCompactDecodes(FormatCache cache) throws DecodeException {
        WmbusTelegram t = WmbusDecoder.decode(COMPACT, KeyLookup.none(), cache);
        assertEquals(0, new BigDecimal("12345.678").compareTo(((io.meterlink.drivers.mbus.MbusValue.Numeric) t.records().get(0).value()).value()));
    }

    @Test
    void formatsLearnt_beforeARestart_decodeCompactFramesAfterIt(@TempDir Path state) throws Exception {
        FormatCache before = new FormatCache();
        FormatStore store = FormatStore.attach(state, before);
        assertNotNull(store);
        assertEquals(DecodeException.Kind.UNSUPPORTED, assertThrows(DecodeException.class,
                () -> WmbusDecoder.decode(COMPACT, KeyLookup.none(), before)).kind(), "no full frame heard yet");
        WmbusDecoder.decode(TestFrames.plain(1), KeyLookup.none(), before); // the full frame teaches (and stores) its format
        store.close();
        assertTrue(Files.size(state.resolve(FormatStore.FILE)) > 0);

        FormatCache after = new FormatCache(); // a restart: a new cache, the same state directory
        FormatStore reopened = FormatStore.attach(state, after);
        assertEquals(1, after.size());
        assertCompactDecodes(after);
        reopened.close();
    }

    @Test
    void anUnusableStateFile_leavesTheCacheInMemory(@TempDir Path state) throws Exception {
        Files.writeString(state.resolve(FormatStore.FILE), "this is not a SQLite database, just text long enough to be read as a header".repeat(20));
        FormatCache cache = new FormatCache();
        assertNull(FormatStore.attach(state, cache));
        WmbusDecoder.decode(TestFrames.plain(1), KeyLookup.none(), cache);
        assertCompactDecodes(cache);
    }

    @Test
    void aDriverFileFormat_decodesACompactFrameBeforeAnyFullFrame(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kam.yaml"), """
                driver: kam-test
                detect: [{manufacturer: KAM}]
                fields: [{name: volume, record: {dif: "0C", vif: "13"}}]
                formats:
                  - {manufacturer: KAM, version: 27, device_type: 0x16, format: 0C130A5A02FD17}
                """);
        List<ConfigError> errors = new ArrayList<>();
        DriverSet drivers = DriverSet.load(dir, errors);
        assertEquals(List.of(), errors);
        FormatCache cache = new FormatCache();
        drivers.seed(cache);
        assertCompactDecodes(cache);
    }
}
