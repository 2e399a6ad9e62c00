package io.meterlink.drivers.sml;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;

import java.util.Optional;

/**
 * SML 1.0x meters (German eHZ/EDL21/MME optical interfaces). Today a decoder only
 * ({@code meterlink decode --protocol sml}); the serial driver is not built yet, so configuring a
 * source with {@code driver: sml} is an error that says so.
 */
public final class SmlDriverFactory implements DriverFactory {
    private static final SmlFrameDecoder DECODER = new SmlFrameDecoder();

    @Override public String type() { return SmlFileDecoder.PROTOCOL; }

    @Override
    public DriverSpec configure(Settings settings) {
        settings.error("driver", "the sml driver decodes captured data only (meterlink decode --protocol sml); reading a meter is not available yet");
        return null;
    }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }
}
