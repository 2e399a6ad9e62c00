package io.meterlink.drivers.coap;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.Await;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CoAP meter (a Californium server on the loopback) whose first payload makes the SenML decoder fail
 * (a decoder bug on a hostile payload): a counted {@code other} bad input, the caller of a read gets the
 * typed refusal, and the meter's next payload is read by the same driver.
 */
class CoapDecoderFaultGuardTest {
    static final String HOSTILE = "[{\"n\":\"boom\",\"u\":\"Wh\",\"v\":1}]";

    /** The SenML decoder, failing on a record named {@code boom} as a decoder with a bug would. */
    static final CoapDriver.Parser FAULTY = payload -> {
        if (new String(payload, StandardCharsets.UTF_8).contains("\"boom\"")) throw new IndexOutOfBoundsException("hostile payload");
        return Senml.parse(payload);
    };

    /** A driver polling the server's meter hourly (so only at start and on demand), with the faulty decoder. */
    private static CoapDriver polling(LoopbackCoapServer server, Recording r) {
        MapSettings s = new MapSettings(Map.of("meters", List.of(Map.of("id", "m1", "uri", server.uri("meter"), "interval", "1h", "mode", "poll"))));
        return new CoapDriver(CoapDriverFactory.read(s), r, FAULTY);
    }

    @Test
    void aDecoderFaultOnAHostilePayload_isCountedOther_theNextPayloadIsRead() throws Exception {
        AtomicInteger n = new AtomicInteger();
        CoapResource meter = new CoapResource("meter") {
            @Override public void handleGET(CoapExchange exchange) {
                String pack = n.incrementAndGet() == 1 ? HOSTILE : "[{\"n\":\"e\",\"u\":\"Wh\",\"s\":42}]";
                exchange.respond(CoAP.ResponseCode.CONTENT, pack.getBytes(StandardCharsets.UTF_8), MediaTypeRegistry.APPLICATION_SENML_JSON);
            }
        };
        Recording r = new Recording(Clock.systemUTC());
        try (LoopbackCoapServer server = new LoopbackCoapServer(meter); CoapDriver driver = polling(server, r)) {
            driver.start(); // its first tick polls: the hostile payload
            Await.until(() -> !r.bad.isEmpty(), "the hostile payload refused", r);
            assertEquals(List.of(Kind.OTHER), r.bad);
            List<Reading> next = driver.readNow(io.meterlink.core.api.MeterId.of("coap:senml:m1")).get(10, TimeUnit.SECONDS);
            assertEquals(1, next.size(), next::toString);
            assertEquals(0, new BigDecimal("42").compareTo(next.get(0).value()));
            assertEquals(next, r.readings);
            assertEquals(List.of(Kind.OTHER), r.bad, "counted once");
            assertTrue(r.transportErrors.isEmpty(), r::toString);
        }
    }

    @Test
    void aReadNowOfAHostilePayload_failsWithTheTypedRefusal() throws Exception {
        CoapResource meter = new CoapResource("meter") {
            @Override public void handleGET(CoapExchange exchange) {
                exchange.respond(CoAP.ResponseCode.CONTENT, HOSTILE.getBytes(StandardCharsets.UTF_8), MediaTypeRegistry.APPLICATION_SENML_JSON);
            }
        };
        Recording r = new Recording(Clock.systemUTC());
        try (LoopbackCoapServer server = new LoopbackCoapServer(meter); CoapDriver driver = polling(server, r)) {
            driver.start();
            Await.until(() -> !r.bad.isEmpty(), "the hostile payload refused", r);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> driver.readNow(io.meterlink.core.api.MeterId.of("coap:senml:m1")).get(10, TimeUnit.SECONDS));
            DecodeException refused = assertInstanceOf(DecodeException.class, e.getCause());
            assertEquals(Kind.OTHER, refused.kind());
        }
    }
}
