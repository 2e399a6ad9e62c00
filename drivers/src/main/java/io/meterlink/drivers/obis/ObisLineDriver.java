package io.meterlink.drivers.obis;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.LineDriver;
import io.meterlink.drivers.transport.Transport;

import java.util.List;

/**
 * A line driver of the OBIS families (P1, SML, IEC 62056-21): each decoded frame becomes readings
 * through {@link ObisReadings}; its records without a reading are counted by kind; the frame's meter is
 * heard even when it gave no reading. A meter id or unit our types refuse is counted as
 * {@code value_range} and the line goes on.
 */
public abstract class ObisLineDriver extends LineDriver {
    private final ObisReadings mapper;

    protected ObisLineDriver(String family, ObisReadings mapper, Transport transport, DriverContext context) {
        super(family, transport, context);
        this.mapper = mapper;
    }

    /** Maps, counts and delivers one decoded frame. */
    protected final void deliver(DecodedFrame frame) throws InterruptedException {
        List<Reading> readings;
        try {
            readings = guard.decode(() -> toReadings(frame));
        } catch (DecodeException e) {
            badInput(e);
            return;
        }
        ObisReadings.withoutReading(frame).forEach((kind, n) -> context.health().recordsWithoutReading(source(), kind, n));
        Object meter = frame.headerFact("meter");
        if (readings.isEmpty() && meter != null) {
            try {
                context.health().meterHeard(MeterId.of(meter.toString()), null);
            } catch (IllegalArgumentException e) {
                badInput(new DecodeException(DecodeException.Kind.VALUE_RANGE, e.getMessage()));
            }
        }
        deliver(readings);
    }

    private List<Reading> toReadings(DecodedFrame frame) throws DecodeException {
        try {
            return mapper.toReadings(frame, context.clock().instant());
        } catch (IllegalArgumentException e) { // a meter id or unit our types refuse
            throw new DecodeException(DecodeException.Kind.VALUE_RANGE, e.getMessage());
        }
    }
}
