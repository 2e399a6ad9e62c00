package io.meterlink.drivers.ert;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Packets to readings. Meter id {@code ert:<ERT type>:<id>} ({@code ert:r900:<id>} for Neptune
 * meters), so that the SCM and the IDM of one meter are one meter; electric meters give energy in
 * Wh, gas and water meters volume in m3, each register value times the meter's multiplier (per
 * meter, else per commodity). IDM/NetIDM interval differentials are readings of their own with
 * storage 1..n (1 = the most recent interval) and the interval's end as meter time. R900 flags are
 * the status of its readings ({@link #LEAK}, {@link #BACKFLOW}, {@link #NO_USE}) and an
 * {@link Quantity#ERROR_FLAGS} reading. Thread-safe.
 */
public final class ErtReadingMapper {
    public static final int LEAK = 1, BACKFLOW = 2, NO_USE = 4;
    /** Length of an IDM/NetIDM consumption interval. */
    public static final Duration IDM_INTERVAL = Duration.ofMinutes(5);

    private final Map<ErtTypes.Commodity, BigDecimal> multipliers;
    private final Map<MeterId, BigDecimal> perMeter;

    public ErtReadingMapper(Map<ErtTypes.Commodity, BigDecimal> multipliers, Map<MeterId, BigDecimal> perMeter) {
        this.multipliers = Map.copyOf(multipliers);
        this.perMeter = Map.copyOf(perMeter);
    }

    public static MeterId meterId(ErtProtocol protocol, int ertType, long id) {
        return MeterId.of("ert", protocol.isR900() ? "r900" : Integer.toString(ertType & 0x0F), Long.toString(id));
    }

    public static MeterId meterId(ErtPacket p) { return meterId(p.protocol(), p.ertType(), p.id()); }

    /** R900 leak/backflow/no-use as status bits; 0 for the others. */
    public static int status(ErtPacket p) {
        if (!p.protocol().isR900()) return 0;
        int s = 0;
        if (nonZero(p, "leak") || nonZero(p, "leaknow")) s |= LEAK;
        if (nonZero(p, "backflow")) s |= BACKFLOW;
        if (nonZero(p, "nouse")) s |= NO_USE;
        return s;
    }

    private static boolean nonZero(ErtPacket p, String field) {
        Long v = p.field(field);
        return v != null && v != 0;
    }

    public List<Reading> toReadings(ErtPacket p, Instant receivedAt) { return toReadings(p, receivedAt, Integer.MAX_VALUE); }

    /** As {@link #toReadings(ErtPacket, Instant)}, with only the {@code newIntervals} most recent IDM intervals (see {@link IdmIntervals}). */
    public List<Reading> toReadings(ErtPacket p, Instant receivedAt, int newIntervals) {
        MeterId meter = meterId(p);
        ErtTypes.Commodity c = ErtTypes.commodity(p.protocol(), p.ertType());
        boolean electric = c == ErtTypes.Commodity.ELECTRIC;
        Quantity q = electric ? Quantity.ENERGY : Quantity.VOLUME;
        Unit unit = electric ? Unit.WH : Unit.M3;
        BigDecimal k = perMeter.getOrDefault(meter, multipliers.getOrDefault(c, BigDecimal.ONE));
        int status = status(p);
        List<Reading> out = new ArrayList<>();
        out.add(new Reading(meter, q, unit, k.multiply(BigDecimal.valueOf(p.consumption())), MeasurementFunction.INSTANTANEOUS,
                0, 0, 0, null, receivedAt, status, null));
        if (p.protocol().isR900()) {
            out.add(new Reading(meter, Quantity.ERROR_FLAGS, Unit.NONE, BigDecimal.valueOf(status), MeasurementFunction.INSTANTANEOUS,
                    0, 0, 0, null, receivedAt, status, null));
        }
        int[] iv = p.intervals();
        if (iv.length > 0) {
            Long offset = p.field("transmit_time_offset");
            Instant end = receivedAt.minusMillis(offset == null ? 0 : offset * 1000 / 16).truncatedTo(ChronoUnit.SECONDS);
            for (int i = 0; i < Math.min(iv.length, newIntervals); i++) {
                out.add(new Reading(meter, q, unit, k.multiply(BigDecimal.valueOf(iv[i])), MeasurementFunction.INSTANTANEOUS,
                        i + 1, 0, 0, end.minus(IDM_INTERVAL.multipliedBy(i)), receivedAt, 0, null));
            }
        }
        return out;
    }
}
