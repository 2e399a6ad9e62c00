package io.meterlink.provisioning.tech;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeGuardTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final HandshakeGuard guard = new HandshakeGuard(clock, 5, Duration.ofMinutes(1), Duration.ofMinutes(10));
    private final InetAddress a = InetAddress.getLoopbackAddress();
    private final InetAddress b = address(10, 0, 0, 2);

    private static InetAddress address(int... octets) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) octets[0], (byte) octets[1], (byte) octets[2], (byte) octets[3]});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test void fiveFailuresWithinAMinute_lockOutForTenMinutes() {
        for (int i = 0; i < 4; i++) {
            assertFalse(guard.failure(a));
            clock.advance(Duration.ofSeconds(10));
        }
        assertTrue(guard.admit(a));
        assertTrue(guard.failure(a));
        assertFalse(guard.admit(a));
        assertTrue(guard.lockedOut(a));
        clock.advance(Duration.ofMinutes(9).plusSeconds(59));
        assertFalse(guard.admit(a));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(guard.admit(a));
        assertEquals(1, guard.lockouts());
        assertEquals(2, guard.dropped());
    }

    @Test void failuresSpreadOverMoreThanTheWindow_doNotLockOut() {
        for (int i = 0; i < 20; i++) {
            assertFalse(guard.failure(a));
            clock.advance(Duration.ofSeconds(16)); // at most 4 within any minute
        }
        assertTrue(guard.admit(a));
        assertEquals(0, guard.lockouts());
    }

    @Test void lockout_isPerAddress() {
        for (int i = 0; i < 5; i++) guard.failure(a);
        assertFalse(guard.admit(a));
        assertTrue(guard.admit(b));
    }

    @Test void failuresAfterLockoutEnds_countAfresh() {
        for (int i = 0; i < 5; i++) guard.failure(a);
        clock.advance(Duration.ofMinutes(10));
        assertFalse(guard.failure(a));
        assertTrue(guard.admit(a));
    }

    @Test void trackedAddresses_areBounded() {
        for (int i = 0; i < HandshakeGuard.MAX_TRACKED + 10; i++) {
            guard.failure(address(10, 1, i / 256, i % 256));
        }
        // the oldest was forgotten, the newest is still counted
        for (int i = 0; i < 4; i++) guard.failure(address(10, 1, 0, 0));
        assertTrue(guard.admit(address(10, 1, 0, 0)));
        int last = HandshakeGuard.MAX_TRACKED + 9;
        InetAddress newest = address(10, 1, last / 256, last % 256);
        for (int i = 0; i < 4; i++) guard.failure(newest);
        assertFalse(guard.admit(newest));
    }
}
