package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps decoded records to {@link Reading}s: one reading per numeric record of a Reading quantity,
 * and the telegram's current date-time record (type F/I, storage 0) as every reading's meter time.
 * Used for wired telegrams (meter id {@code mbus:<MAN>:<id>}) and, through
 * {@link #toReadings(MeterId, int, List, Instant, Instant, Integer)}, for wireless ones. Pure and thread-safe.
 */
public final class MbusReadingMapper {
    /** Meter family prefix of every wired M-Bus meter id. */
    public static final String FAMILY = "mbus";

    private final ZoneId meterZone;

    /** @param meterZone the zone the meters' clocks run in (M-Bus sends local time without offset) */
    public MbusReadingMapper(ZoneId meterZone) {
        this.meterZone = meterZone;
    }

    /** {@code mbus:<MAN>:<id>}; a telegram without long header is named by its primary address instead. */
    public static MeterId meterId(MbusHeader h) {
        return MeterId.of(FAMILY, h.manufacturer(), h.id());
    }

    static MeterId meterId(MbusTelegram t) {
        MbusHeader h = t.header();
        if (h.id() == null) return MeterId.of(FAMILY, "UNKNOWN", "primary" + t.address());
        return meterId(h);
    }

    /** The meter's own current time from the telegram, or {@code null} when it sends none (or an invalid one). */
    public Instant meterTime(MbusTelegram t) {
        return meterTime(t.records());
    }

    /** The current (storage 0, instantaneous) date-time record of these records, or {@code null}. */
    public Instant meterTime(List<MbusRecord> records) {
        for (MbusRecord r : records) {
            if (r.meaning().kind() == VifMeaning.Kind.DATE_TIME && "date_time".equals(r.meaning().name())
                    && r.storage() == 0 && r.tariff() == 0 && r.subunit() == 0
                    && r.function() == MeasurementFunction.INSTANTANEOUS && r.modifiers().isEmpty()
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
        return toReadings(meterId(t), t.header().status(), t.records(), receivedAt, fallbackMeterTime, null);
    }

    /**
     * Readings of any decoded M-Bus records (wired or wireless).
     *
     * @param status  the header's status byte (negative when the telegram has none: stored as 0)
     * @param rssiDbm signal strength when a radio reports it, else {@code null}
     */
    public List<Reading> toReadings(MeterId meter, int status, List<MbusRecord> records, Instant receivedAt,
                                    Instant fallbackMeterTime, Integer rssiDbm) {
        Instant meterTime = meterTime(records);
        if (meterTime == null) meterTime = fallbackMeterTime;
        List<Reading> out = new ArrayList<>();
        for (MbusRecord r : records) {
            if (!r.isReading()) continue;
            VifMeaning m = r.meaning();
            out.add(new Reading(meter, m.quantity(), m.unit(), ((MbusValue.Numeric) r.value()).value().stripTrailingZeros(),
                    r.function(), (int) r.storage(), r.tariff(), r.subunit(), meterTime, receivedAt, Math.max(0, status), rssiDbm));
        }
        return out;
    }
}
