package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.Recording;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

/**
 * A wM-Bus driver (hex lines, T1, built-in driver files) handed frames one at a time, as its line hands
 * them over, without a line thread: its readings and refusals go to {@link #rec}.
 */
final class FedDriver {
    final Recording rec = new Recording(Clock.systemUTC());
    private final WmbusDriver driver;

    /** @param meters the listed meters; {@code acceptUnknown}: whether unlisted meters' telegrams are stored */
    FedDriver(boolean acceptUnknown, List<WmbusDriverConfig.Meter> meters) {
        WmbusDriverConfig c = new WmbusDriverConfig("feed", "hexlines", WmbusMode.T1, false, ZoneOffset.UTC, acceptUnknown, meters,
                DriverSet.builtin());
        driver = new WmbusDriver(c, new FeedLine(), rec, new FormatCache());
    }

    /** A listed meter {@code id} (any manufacturer) with the tests' key {@link TestFrames#KEY}. */
    static WmbusDriverConfig.Meter keyed(String id) {
        return new WmbusDriverConfig.Meter(id, null, Secret.of(HexFormat.of().formatHex(TestFrames.KEY)));
    }

    /** Hands {@code frame} (CRCs removed, -70 dBm) to the driver; a typed refusal is counted as the line counts it. */
    void hear(byte[] frame) throws InterruptedException {
        try {
            driver.handle(new RadioFrame(frame, -70, true), "line1");
        } catch (DecodeException e) {
            rec.badInput("line1", e.kind());
        }
    }
}
