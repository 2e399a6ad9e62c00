package io.meterlink.drivers.coap;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;

import java.util.Optional;

/**
 * SenML (RFC 8428), the payload of CoAP meters, for {@code meterlink decode --protocol senml}: a
 * family whose decoder's protocol is its type, as for every family. SenML is read on the wire by the
 * {@code coap} driver; {@code driver: senml} in a configuration is an error that says so. Stateless.
 */
public final class SenmlDecoderFactory implements DriverFactory {
    private static final SenmlFrameDecoder DECODER = new SenmlFrameDecoder();

    @Override public String type() { return SenmlFrameDecoder.PROTOCOL; }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public DriverSpec configure(Settings settings) {
        settings.error("driver", "senml is the payload format of CoAP meters: use driver: coap (docs/pulse-coap.md)");
        return null;
    }
}
