package io.meterlink.core.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdNotifyTest {
    @TempDir Path dir;

    @Test
    void withoutNotifySocket_sendIsANoOp() {
        SdNotify n = SdNotify.fromEnvironment(Map.of());
        assertSame(SdNotify.NONE, n);
        assertFalse(n.enabled());
        assertFalse(n.send("READY=1"));
        assertSame(SdNotify.NONE, SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "")));
    }

    @Test
    void send_deliversOneDatagram_toAPathSocket() throws Exception {
        Path path = dir.resolve("notify");
        try (AFUNIXDatagramSocket server = AFUNIXDatagramSocket.newInstance()) {
            server.bind(AFUNIXSocketAddress.of(path));
            server.setSoTimeout(5000);
            try (SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path.toString()))) {
                assertTrue(n.enabled());
                assertTrue(n.send("READY=1\nSTATUS=ok"));
            }
            DatagramPacket p = new DatagramPacket(new byte[256], 256);
            server.receive(p);
            assertEquals("READY=1\nSTATUS=ok", new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void send_toAMissingSocket_returnsFalse_neverThrows() {
        try (SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", dir.resolve("gone").toString()))) {
            assertFalse(n.send("WATCHDOG=1"));
            assertFalse(n.send("WATCHDOG=1"));
        }
    }

    @Test
    void watchdogInterval_onlyForThisProcess() {
        assertEquals(Optional.of(Duration.ofSeconds(60)), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000"), 42));
        assertEquals(Optional.of(Duration.ofSeconds(60)),
                SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000", "WATCHDOG_PID", "42"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000", "WATCHDOG_PID", "7"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of(), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 42));
    }
}
