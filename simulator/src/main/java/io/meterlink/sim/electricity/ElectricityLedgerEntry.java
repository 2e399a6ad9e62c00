package io.meterlink.sim.electricity;

import io.meterlink.core.api.Reading;

import java.time.Instant;
import java.util.List;

/**
 * What a virtual electricity meter sent once (a P1 telegram, an optical readout): the readings a
 * correct gateway must deliver from it, or none when the simulator damaged it on purpose (then
 * {@code damaged} is true and the gateway must count it as bad input). receivedAt holds the
 * generation time. Immutable.
 */
public record ElectricityLedgerEntry(String meter, Instant generatedAt, List<Reading> readings, boolean damaged) {
    public ElectricityLedgerEntry {
        readings = List.copyOf(readings);
    }
}
