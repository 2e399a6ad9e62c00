package io.meterlink.drivers.coap;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.MeasurementFunction;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps one meter's SenML records to readings. The quantity comes from the SenML unit
 * ({@link SenmlUnits}); records of a unit we do not read, and string/boolean/data values, give no
 * reading. Several names of one quantity (e.g. three phase voltages) are told apart by sub-unit, in
 * the order this meter first sent them. An accumulator ({@code s}) smaller than the last one from the
 * same name is reported as having gone backwards. Not thread-safe (one per meter, on the driver's thread).
 */
final class SenmlReadings {
    /** What one pack gave. */
    record Result(List<Reading> readings, int unreadable, List<String> backwards) { }

    private final MeterId meter;
    private final Map<String, Integer> subunits = new HashMap<>();
    private final Map<Quantity, Integer> perQuantity = new HashMap<>();
    private final Map<String, BigDecimal> lastSums = new HashMap<>();

    SenmlReadings(MeterId meter) {
        this.meter = meter;
    }

    Result map(List<SenmlRecord> records, Instant receivedAt) {
        List<Reading> out = new ArrayList<>();
        List<String> backwards = new ArrayList<>();
        int unreadable = 0;
        for (SenmlRecord r : records) {
            if (r.value() == null) continue; // a string, boolean or data value: not a measurement
            SenmlUnits u = SenmlUnits.of(r.unit());
            if (u == null) {
                unreadable++;
                continue;
            }
            String key = u.quantity() + "/" + r.name();
            Integer subunit = subunits.get(key);
            if (subunit == null) {
                if (subunits.size() >= 256) { // a meter inventing names without end: no more sub-units
                    unreadable++;
                    continue;
                }
                subunit = perQuantity.merge(u.quantity(), 1, Integer::sum) - 1;
                subunits.put(key, subunit);
            }
            BigDecimal value = SenmlFrameDecoder.scaled(r.value(), u);
            if (r.sum()) {
                BigDecimal last = lastSums.put(key, value);
                if (last != null && value.compareTo(last) < 0) backwards.add(r.name());
            }
            Instant meterTime = r.absoluteTime() ? SenmlFrameDecoder.instant(r.time()) : null;
            out.add(new Reading(meter, u.quantity(), u.unit(), value, MeasurementFunction.INSTANTANEOUS, 0, 0, subunit,
                    meterTime, receivedAt, 0, null));
        }
        return new Result(out, unreadable, backwards);
    }
}
