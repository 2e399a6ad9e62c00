package io.meterlink.drivers.coap;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CoAP meter (Californium server, NON notifications) that floods: a notification every
 * millisecond for two seconds, every seventh of them a malformed pack. The driver drops what comes
 * closer than {@code min_gap} and counts it, counts the malformed ones, and keeps reading the meter.
 */
class CoapFloodIT {
    @Test
    void floodingMeter_isLimitedAndCounted_andStillRead() throws Exception {
        AtomicInteger n = new AtomicInteger();
        CoapResource meter = new CoapResource("meter") {
            {
                setObservable(true);
                setObserveType(CoAP.Type.NON);
            }

            @Override public void handleGET(CoapExchange exchange) {
                int i = n.incrementAndGet();
                String pack = i % 7 == 0 ? "[{\"n\":\"e\",\"s\":[1]}]" : "[{\"n\":\"e\",\"u\":\"Wh\",\"s\":" + i + "}]";
                exchange.respond(CoAP.ResponseCode.CONTENT, pack.getBytes(StandardCharsets.UTF_8), MediaTypeRegistry.APPLICATION_SENML_JSON);
            }
        };
        LoopbackCoapServer server = new LoopbackCoapServer(meter);
        Recording r = new Recording(Clock.systemUTC());
        MapSettings s = new MapSettings(Map.of("meters", List.of(Map.of("id", "flood", "uri", server.uri("meter"),
                "interval", "1s", "min_gap", "100ms"))));
        CoapDriver driver = new CoapDriver(CoapDriverFactory.read(s), r);
        try {
            driver.start();
            long until = System.nanoTime() + 10_000_000_000L;
            while (r.readings.isEmpty() && System.nanoTime() < until) Thread.sleep(20);
            assertFalse(r.readings.isEmpty(), "read before the flood");
            long end = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < end) {
                meter.changed();
                Thread.sleep(1);
            }
            Thread.sleep(500);
            int readings = r.readings.size();
            long dropped = r.bad.stream().filter(k -> k == DecodeException.Kind.OTHER).count();
            assertTrue(dropped > 100, "flood dropped and counted: " + dropped);
            assertTrue(readings <= 2 + 2_500 / 100, "at most one pack per min_gap taken: " + readings);
            int before = r.readings.size();
            Thread.sleep(150);
            meter.changed();
            until = System.nanoTime() + 5_000_000_000L;
            while (r.readings.size() == before && System.nanoTime() < until) Thread.sleep(20);
            assertTrue(r.readings.size() > before, "still read after the flood");
            assertTrue(r.readings.stream().allMatch(x -> x.quantity() == Quantity.ENERGY));
        } finally {
            driver.close();
            server.close();
        }
    }
}
