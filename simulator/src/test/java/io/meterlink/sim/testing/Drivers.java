package io.meterlink.sim.testing;

import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.drivers.testing.MapSettings;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real drivers in the simulator's tests, found and configured as the gateway does it. */
public final class Drivers {
    private Drivers() {
    }

    /**
     * Configures the driver of {@code type} (from {@code META-INF/services}) with {@code settings}, asserts
     * that no setting was refused or unknown, and starts it on {@code context}.
     */
    public static Driver start(String type, Map<String, Object> settings, DriverContext context) {
        DriverFactory factory = DriverRegistry.fromServiceLoader().find(type).orElseThrow(() -> new AssertionError("no driver of type " + type));
        MapSettings s = new MapSettings(settings);
        DriverFactory.DriverSpec spec = factory.configure(s);
        s.finish();
        assertEquals(List.of(), s.errors());
        Driver driver = spec.create(context);
        driver.start();
        return driver;
    }
}
