package io.meterlink.payload;

import java.time.Instant;

/**
 * The measurement key of docs/payloads.md: {@code meter|quantity|storage|tariff|subunit|function|time},
 * time being the meter's timestamp when it sent one, else the gateway's receive time, in ISO-8601 UTC
 * as {@link Instant#toString()} writes it. The same measurement heard by two gateways has the same key.
 */
public final class MeasurementKey {
    private MeasurementKey() {
    }

    public static String of(String meter, String quantity, int storage, int tariff, int subunit, String function,
                            Instant meterTime, Instant received) {
        Instant t = meterTime != null ? meterTime : received;
        return meter + "|" + quantity + "|" + storage + "|" + tariff + "|" + subunit + "|" + function + "|" + t;
    }
}
