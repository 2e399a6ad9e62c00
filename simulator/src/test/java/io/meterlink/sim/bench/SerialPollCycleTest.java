package io.meterlink.sim.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SerialPollCycleTest {

    @Test
    void options_overrideTheDefaults_andRefuseAnUnknownOne() {
        Map<String, String> defaults = Map.of("--meters", "32", "--baud", "9600");
        assertEquals(Map.of("--meters", "4", "--baud", "9600"), SerialPollCycle.options(new String[] {"--meters", "4"}, defaults));
        assertEquals(defaults, SerialPollCycle.options(new String[0], defaults));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SerialPollCycle.options(new String[] {"--meters", "4", "--profile", "x"}, defaults));
        assertEquals("unknown option --profile", e.getMessage());
    }

    @Test
    void cycles_showTwoDecimals_andTheMedianIsTheUpperMiddle() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.ROOT);
        try {
            SerialPollCycle.Cycles c = new SerialPollCycle.Cycles(List.of(52.314, 52.449, 51.0));
            assertEquals("[52.31, 52.45, 51.00]", c.shown());
            assertEquals(52.314, c.median());
            assertEquals(52.449, new SerialPollCycle.Cycles(List.of(52.449, 52.314)).median());
        } finally {
            Locale.setDefault(before);
        }
    }
}
