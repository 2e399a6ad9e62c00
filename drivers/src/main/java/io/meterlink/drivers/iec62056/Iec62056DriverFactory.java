package io.meterlink.drivers.iec62056;

import io.meterlink.drivers.obis.DecoderOnlyFactory;

/** The {@code iec62056-21} family (IEC 62056-21 optical readouts): its decoder for {@code meterlink decode}; the serial driver is not built yet. */
public final class Iec62056DriverFactory extends DecoderOnlyFactory {
    public Iec62056DriverFactory() { super(new Iec62056FrameDecoder()); }
}
