package io.meterlink.drivers.ert;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;

import java.util.Optional;

/**
 * 900 MHz utility radio (ERT SCM/SCM+/IDM/NetIDM, Neptune R900) demodulated in Java. Today it offers
 * offline decoding of I/Q recordings ({@code meterlink decode --protocol ert --iq FILE}); the live
 * rtl_tcp driver is not built yet, so configuring {@code driver: ert} is refused with a clear error.
 */
public final class ErtDriverFactory implements DriverFactory {
    private static final ErtFrameDecoder DECODER = new ErtFrameDecoder();

    @Override public String type() { return "ert"; }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public DriverSpec configure(Settings settings) {
        settings.error("driver", "driver 'ert' (live rtl_tcp radio) is not available in this build; only offline decoding (meterlink decode --protocol ert --iq FILE)");
        return null;
    }
}
