package io.meterlink.drivers.obis;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.*;

class ShownOverflowTest {
    @Test
    void longMinValue_isNotOverflowedByTheScaleShift() {
        for (long v : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, -1_000_000_000_000_000_001L}) {
            assertEquals(ObisRecords.shown(BigDecimal.valueOf(v, -2), null), ObisRecords.shown(v, -2, null), Long.toString(v));
            assertEquals(ObisRecords.shown(BigDecimal.valueOf(v, -3).movePointRight(3).movePointLeft(3), null),
                    ObisRecords.shown(v, 0, MeterUnit.text("kWh")), Long.toString(v));
        }
    }
}
