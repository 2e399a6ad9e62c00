package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.drivers.mbus.MbusRecord;
import io.meterlink.drivers.mbus.MbusValue;
import io.meterlink.drivers.mbus.VifMeaning;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a decoded wireless telegram to {@link Reading}s: meter id {@code wmbus:<MAN>:<id>} of the
 * metering device, one reading per numeric record and per numeric value of a matching driver file,
 * the current date-time record as meter time, the
 * telegram's status byte and the radio's RSSI. Pure, thread-safe.
 */
public final class WmbusReadingMapper {
    public static final String FAMILY = "wmbus";

    private final ZoneId meterZone;

    /** @param meterZone the zone the meters' clocks run in (M-Bus sends local time without offset) */
    public WmbusReadingMapper(ZoneId meterZone) { this.meterZone = meterZone; }

    public static MeterId meterId(WmbusTelegram t) { return MeterId.of(FAMILY, t.manufacturer(), t.id()); }

    public List<Reading> toReadings(WmbusTelegram t, Instant receivedAt, Integer rssiDbm) {
        MeterId meter = meterId(t);
        Instant meterTime = null;
        for (MbusRecord r : t.records()) {
            if (r.meaning().kind() == VifMeaning.Kind.DATE_TIME && r.storage() == 0 && r.tariff() == 0 && r.subunit() == 0
                    && r.function() == MeasurementFunction.INSTANTANEOUS && r.value() instanceof MbusValue.DateTime dt && dt.dateTime() != null) {
                meterTime = dt.dateTime().atZone(meterZone).toInstant();
                break;
            }
        }
        List<Reading> out = new ArrayList<>();
        for (MbusRecord r : t.records()) {
            if (!r.isReading()) continue;
            VifMeaning m = r.meaning();
            out.add(new Reading(meter, m.quantity(), m.unit(), ((MbusValue.Numeric) r.value()).value().stripTrailingZeros(),
                    r.function(), (int) r.storage(), r.tariff(), r.subunit(), meterTime, receivedAt, t.status(), rssiDbm));
        }
        for (DriverValue v : t.driverValues()) { // a driver file's values, in the same model; not the ones that only name a record
            if (!v.reading() || v.value() == null || v.quantity() == null || v.unit() == null) continue;
            out.add(new Reading(meter, v.quantity(), v.unit(), v.value(), MeasurementFunction.INSTANTANEOUS, v.storage(), v.tariff(),
                    v.subunit(), meterTime, receivedAt, t.status(), rssiDbm));
        }
        return out;
    }
}
