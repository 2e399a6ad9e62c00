package io.meterlink.drivers.obis;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TextCacheLimitTest {
    @Test
    void shortUnitTextsAreKept_longOnesAreMadePerCall() {
        assertSame(MeterUnit.text("kWh"), MeterUnit.text("kWh"));
        String longUnit = "u".repeat(ObisRecords.UNIT_MAX + 1);
        assertNotSame(MeterUnit.text(longUnit), MeterUnit.text(longUnit));
        assertEquals(MeterUnit.text(longUnit), MeterUnit.text(longUnit));
    }

    @Test
    void aRecordWithALongUnit_keepsNoTemplate_andShowsTheSame() throws Exception {
        java.lang.reflect.Field f = ObisRecords.class.getDeclaredField("TEMPLATES");
        f.setAccessible(true);
        Map<?, ?> templates = (Map<?, ?>) f.get(null);
        Obis code = new Obis(1, 0, 99, 98, 97, 255);
        MeterUnit longUnit = MeterUnit.text("v".repeat(ObisRecords.UNIT_MAX + 1));
        var a = ObisRecords.record(code, BigDecimal.ONE, null, longUnit, null);
        assertFalse(templates.containsKey(code), "a long unit's template is never stored");
        assertEquals(a.toString(), ObisRecords.record(code, BigDecimal.ONE, null, longUnit, null).toString());
        ObisRecords.record(code, BigDecimal.ONE, null, MeterUnit.text("kWh"), null);
        assertTrue(templates.containsKey(code));
    }
}
