package io.meterlink.drivers.p1;

import io.meterlink.drivers.obis.DecoderOnlyFactory;

/** The {@code p1} family (DSMR P1 ports, plain and encrypted): its decoder for {@code meterlink decode}; the serial driver is not built yet. */
public final class P1DriverFactory extends DecoderOnlyFactory {
    public P1DriverFactory() { super(new P1FrameDecoder()); }
}
