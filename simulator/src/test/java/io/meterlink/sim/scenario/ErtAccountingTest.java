package io.meterlink.sim.scenario;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ERT readings (no meter time: the gateway's receive time) are matched without their time; others keep it. */
class ErtAccountingTest {
    @Test
    void ertKeys_loseTheirTime_otherKeysAreUnchanged() {
        String ert = "ert:7:123|energy|0|0|0|instantaneous|2026-12-06T20:00:00.123Z|7000";
        assertEquals("ert:7:123|energy|0|0|0|instantaneous|*|7000", Accounting.timeless(ert));
        assertEquals(Accounting.timeless(ert), Accounting.timeless(ert.replace("20:00:00.123Z", "20:00:01.456Z")));
        String wmbus = "wmbus:KAM:12345678|volume|0|0|0|instantaneous|2026-12-06T20:00:00Z|1.5";
        assertEquals(wmbus, Accounting.timeless(wmbus));
    }
}
