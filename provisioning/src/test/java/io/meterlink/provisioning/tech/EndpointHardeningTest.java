package io.meterlink.provisioning.tech;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import org.eclipse.californium.elements.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.meterlink.provisioning.tech.TechFixtures.PSK;
import static io.meterlink.provisioning.tech.TechFixtures.WRONG_PSK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Open window, lock-out and the service button, end to end over loopback DTLS. */
class EndpointHardeningTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private static final Duration SKEW = Duration.ofSeconds(61);

    @AfterEach void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private TechnicianEndpoint endpoint(TechEndpointConfig config) {
        return endpoint(config, Clock.systemUTC());
    }

    private TechnicianEndpoint endpoint(TechEndpointConfig config, Clock clock) {
        TechnicianEndpoint e = new TechnicianEndpoint(config, PSK, TechServices.builder().status(TechFixtures::status).build(), clock);
        toClose.add(e);
        return e;
    }

    private TechClient client(InetSocketAddress where, TechnicianPsk psk, Duration timeout) {
        TechClient c = new TechClient(where, psk, timeout, 64 * 1024);
        toClose.add(c);
        return c;
    }

    private static InetSocketAddress loopback(TechnicianEndpoint e) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), e.address().orElseThrow().getPort());
    }

    private static void await(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(50);
        }
    }

    @Test void openWindow_closesByItself_andThenAnswersNothing() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
        TechnicianEndpoint e = endpoint(TechFixtures.config().withOpenWindow(Duration.ofSeconds(2)), clock);
        e.open("test");
        InetSocketAddress where = loopback(e);
        // the clock stands still: however slow the handshake, the window is still open
        assertEquals("2.05", client(where, PSK, Duration.ofSeconds(8)).status().code());
        assertTrue(e.isOpen());
        clock.advance(Duration.ofSeconds(2));
        await(() -> !e.isOpen(), Duration.ofSeconds(30), "the window to end");
        assertTrue(e.address().isEmpty());
        assertThrows(IOException.class, () -> client(where, PSK, Duration.ofSeconds(3)).status());
    }

    @Test void openAgain_whileOpen_restartsTheWindowOnTheSameSocket() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
        TechnicianEndpoint e = endpoint(TechFixtures.config().withOpenWindow(Duration.ofSeconds(3)), clock);
        e.open("first");
        InetSocketAddress first = e.address().orElseThrow();
        var until1 = e.openUntil().orElseThrow();
        clock.advance(Duration.ofMillis(200));
        e.open("second");
        assertEquals(first, e.address().orElseThrow());
        assertEquals(until1.plusMillis(200), e.openUntil().orElseThrow(), "the window runs again from the second open");
    }

    @Test void openWindow_longerThanFifteenMinutes_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> TechFixtures.config().withOpenWindow(Duration.ofMinutes(15).plusSeconds(1)));
    }

    @Test void repeatedWrongPsk_locksTheAddressOut_evenForTheRightPsk() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config().withLockout(3, Duration.ofMinutes(1), Duration.ofMinutes(10)));
        e.open("test");
        InetSocketAddress where = loopback(e);
        for (int i = 0; i < 3; i++) {
            TechClient wrong = client(where, WRONG_PSK, Duration.ofSeconds(3));
            assertThrows(IOException.class, wrong::status);
            wrong.close();
        }
        await(() -> e.guard().lockedOut(InetAddress.getLoopbackAddress()), Duration.ofSeconds(20), "the lock-out");
        assertEquals(1, e.guard().lockouts());
        assertThrows(IOException.class, () -> client(where, PSK, Duration.ofSeconds(3)).status());
        assertTrue(e.guard().dropped() > 0, "datagrams from the locked-out address are dropped");
    }

    @Test void connectionLimit_refusesAThirdSession_untilAnIdleOneGoesStale() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config().withMaxConnections(2).withStaleAfter(Duration.ofSeconds(60)));
        e.open("test");
        InetSocketAddress where = loopback(e);
        assertEquals("2.05", client(where, PSK, Duration.ofSeconds(8)).status().code());
        assertEquals("2.05", client(where, PSK, Duration.ofSeconds(8)).status().code());
        TechClient third = client(where, PSK, Duration.ofSeconds(2));
        assertThrows(IOException.class, third::status, "a third session while two are fresh");
        // Scandium ages connections by its own clock (ClockUtil): move it 61 s on instead of waiting, so
        // both idle sessions are older than the 60 s stale threshold and one gives way.
        java.util.concurrent.atomic.AtomicLong skew = new java.util.concurrent.atomic.AtomicLong();
        ClockUtil.setRealtimeHandler(() -> System.nanoTime() + skew.get());
        toClose.add(() -> ClockUtil.setRealtimeHandler(System::nanoTime));
        skew.set(SKEW.toNanos());
        assertEquals("2.05", client(where, PSK, Duration.ofSeconds(8)).status().code());
        assertEquals(0, e.guard().lockouts());
    }

    @Test void serviceButtonPress_opensTheEndpoint() throws Exception {
        Context pi4j = Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance()).build();
        toClose.add(pi4j::shutdown);
        TechnicianEndpoint e = endpoint(TechFixtures.config());
        ServiceButton button = ServiceButton.attach(pi4j, 17, true, () -> e.open("service button"));
        toClose.add(button);
        MockDigitalInput input = (MockDigitalInput) pi4j.io("meterlink-service-button", DigitalInput.class);
        input.mockState(DigitalState.HIGH); // released (pull-up)
        assertFalse(e.isOpen());
        input.mockState(DigitalState.LOW); // pressed
        await(e::isOpen, Duration.ofSeconds(10), "the button to open the endpoint");
        assertEquals("2.05", client(loopback(e), PSK, Duration.ofSeconds(8)).status().code());
    }

    @Test void serviceButtonRelease_doesNotOpen() throws Exception {
        Context pi4j = Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance()).build();
        toClose.add(pi4j::shutdown);
        TechnicianEndpoint e = endpoint(TechFixtures.config());
        toClose.add(ServiceButton.attach(pi4j, 27, true, () -> e.open("service button")));
        MockDigitalInput input = (MockDigitalInput) pi4j.io("meterlink-service-button", DigitalInput.class);
        input.mockState(DigitalState.HIGH);
        Thread.sleep(300);
        assertFalse(e.isOpen());
    }
}
