package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a decoded telegram to {@link Reading}s: meter id {@code mbus:<MAN>:<id>}, one reading per
 * numeric record, and the telegram's current date-time record (type F/I, storage 0) as every
 * reading's meter time. Pure and thread-safe.
 */
public final class MbusReadingMapper {
    /** Meter family prefix of every wired M-Bus meter id. */
    public static final String FAMILY = "mbus";

    private final ZoneId meterZone;

    /** @param meterZone the zone the meters' clocks run in (M-Bus sends local time without offset) */
    public MbusReadingMapper(ZoneId meterZone) {
        this.meterZone = meterZone;
    }

    public static MeterId meterId(MbusHeader h) {
        return MeterId.of(FAMILY, h.manufacturer(), h.id());
    }

    /** The meter's own current time from the telegram, or {@code null} when it sends none (or an invalid one). */
    public Instant meterTime(MbusTelegram t) {
        for (MbusRecord r : t.records()) {
            if (r.meaning().kind() == VifMeaning.Kind.DATE_TIME && r.storage() == 0 && r.tariff() == 0 && r.subunit() == 0
                    && r.function() == MeasurementFunction.INSTANTANEOUS
                    && r.value() instanceof MbusValue.DateTime dt && dt.dateTime() != null) {
                return dt.dateTime().atZone(meterZone).toInstant();
            }
        }
        return null;
    }

    /**
     * @param fallbackMeterTime meter time to use when this telegram has none (e.g. from the first
     *                          telegram of a multi-telegram readout), may be {@code null}
     */
    public List<Reading> toReadings(MbusTelegram t, Instant receivedAt, Instant fallbackMeterTime) {
        MeterId meter = meterId(t.header());
        Instant meterTime = meterTime(t);
        if (meterTime == null) meterTime = fallbackMeterTime;
        List<Reading> out = new ArrayList<>();
        for (MbusRecord r : t.records()) {
            if (!r.isReading()) continue;
            VifMeaning m = r.meaning();
            out.add(new Reading(meter, m.quantity(), m.unit(), ((MbusValue.Numeric) r.value()).value().stripTrailingZeros(),
                    r.function(), (int) r.storage(), r.tariff(), r.subunit(), meterTime, receivedAt, t.header().status(), null));
        }
        return out;
    }
}
