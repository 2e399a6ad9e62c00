package io.meterlink.drivers.obis;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;

import java.util.Optional;

/**
 * A meter family that offers its decoder ({@code meterlink decode --protocol NAME}) but no driver
 * yet: configuring a source with {@code driver: NAME} is an error that says so. Stateless.
 */
public abstract class DecoderOnlyFactory implements DriverFactory {
    private final FrameDecoder decoder;

    protected DecoderOnlyFactory(FrameDecoder decoder) { this.decoder = decoder; }

    @Override public String type() { return decoder.protocol(); }

    @Override
    public DriverSpec configure(Settings settings) {
        settings.error("driver", "the " + type() + " driver decodes captured data only (meterlink decode --protocol " + type()
                + "); reading a meter is not available yet");
        return null;
    }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(decoder); }
}
