package io.meterlink.drivers.obis;

import io.meterlink.core.api.driver.DriverFactory;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

class FamilyDecodersTest {
    @Test
    void everyFamily_offersItsDecoderUnderItsType_throughServiceLoader() {
        Set<String> types = new TreeSet<>();
        for (DriverFactory f : ServiceLoader.load(DriverFactory.class)) {
            f.decoder().ifPresent(d -> assertEquals(f.type(), d.protocol()));
            if (f.decoder().isPresent()) types.add(f.type());
        }
        assertEquals(Set.of("ert", "iec62056-21", "mbus", "modbus", "p1", "senml", "sml", "wmbus"), types);
    }
}
