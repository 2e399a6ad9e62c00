package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.testing.Await;
import io.meterlink.drivers.testing.BrokenSink;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A wM-Bus telegram whose decoding fails inside the decoder (here the compact-frame format store, which
 * the decoder calls for a format it has not seen, fails once): a counted {@code other} bad frame, and
 * the next telegram is read on the same line; a failing sink is not a bad frame.
 */
class WmbusDecoderFaultGuardTest {
    private static WmbusDriverConfig config() {
        return new WmbusDriverConfig("feed", "hexlines", WmbusMode.T1, false, java.time.ZoneOffset.UTC, true, List.of(), DriverSet.builtin());
    }

    @Test
    void aDecoderFaultOnAHostileTelegram_isCountedOther_theNextTelegramIsRead() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        FormatCache formats = new FormatCache();
        AtomicBoolean failed = new AtomicBoolean();
        formats.onNew((model, format) -> {
            if (!failed.getAndSet(true)) throw new IllegalStateException("format store failed");
        });
        try (Driver d = new WmbusDriver(config(), line, rec, formats)) {
            d.start();
            line.line(TestFrames.plain(1)); // its new format fails the decoder
            line.line(TestFrames.plain(2));
            Await.until(() -> !rec.readings.isEmpty(), "the telegram after the fault", rec);
        }
        assertTrue(failed.get(), "the fault happened");
        assertEquals(List.of(Kind.OTHER), rec.bad);
        assertEquals(1, line.opens, "the line was never reopened");
        assertTrue(rec.transportErrors.isEmpty(), rec::toString);
    }

    @Test
    void aMappingFault_isARefusedTelegramOfKindOther_andTheNextTelegramIsStored() throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        WmbusDriver d = new WmbusDriver(config(), new FeedLine(), rec, new FormatCache());
        byte[] frame = TestFrames.plain(1);
        // a dongle reporting an impossible signal strength: the mapper's reading refuses it (IllegalArgumentException)
        DecodeException e = assertThrows(DecodeException.class, () -> d.handle(new RadioFrame(frame, 120, true), "line1"));
        assertEquals(Kind.OTHER, e.kind());
        assertTrue(rec.readings.isEmpty(), rec::toString);
        d.handle(new RadioFrame(TestFrames.plain(2), -70, true), "line1");
        assertFalse(rec.readings.isEmpty(), rec::toString);
    }

    @Test
    void aDeliveryFault_isNotABadFrame_itStopsTheLineAsBefore() throws Exception {
        FeedLine line = new FeedLine();
        BrokenSink.assertStopsTheLine(context -> new WmbusDriver(config(), line, context), () -> line.line(TestFrames.plain(1)));
    }
}
