package io.meterlink.drivers.obis;

import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.testing.MapSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

class DecoderOnlyFactoryTest {
    @Test
    void everyFamily_offersItsDecoderUnderItsType_throughServiceLoader() {
        Set<String> types = new TreeSet<>();
        for (DriverFactory f : ServiceLoader.load(DriverFactory.class)) {
            f.decoder().ifPresent(d -> assertEquals(f.type(), d.protocol()));
            if (f.decoder().isPresent()) types.add(f.type());
        }
        assertEquals(Set.of("ert", "iec62056-21", "mbus", "p1", "sml", "wmbus"), types);
    }

    @Test
    void configuringADecodeOnlyFamily_isAnErrorThatSaysSo() {
        for (DriverFactory f : ServiceLoader.load(DriverFactory.class)) {
            if (!(f instanceof DecoderOnlyFactory)) continue;
            MapSettings s = new MapSettings(Map.of());
            assertNull(f.configure(s));
            assertTrue(s.errors().stream().anyMatch(e -> e.contains("not available yet")), s.errors()::toString);
        }
    }
}
