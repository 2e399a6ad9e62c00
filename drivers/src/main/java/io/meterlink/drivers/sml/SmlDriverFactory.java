package io.meterlink.drivers.sml;

import io.meterlink.drivers.obis.DecoderOnlyFactory;

/** The {@code sml} family (SML 1.0x meters): its decoder for {@code meterlink decode}; the serial driver is not built yet. */
public final class SmlDriverFactory extends DecoderOnlyFactory {
    public SmlDriverFactory() { super(new SmlFrameDecoder()); }
}
