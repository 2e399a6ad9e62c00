package io.meterlink.drivers.p1;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The p1 source configured for {@code transport: tcp} reads telegrams from a raw TCP socket (a ser2net-style converter). */
class P1TcpTest {
    @Test
    void tcpSource_readsTelegramsPushedOverASocket() throws Exception {
        byte[] telegram = P1FrameDecoderTest.withCrc(P1FrameDecoderTest.DSMR5);
        Recording rec = new Recording(Clock.systemUTC());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MapSettings s = new MapSettings(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", server.getLocalPort()));
            DriverFactory.DriverSpec spec = new P1DriverFactory().configure(s);
            assertEquals(List.of(), s.errors());
            try (Driver d = spec.create(rec)) {
                d.start();
                try (Socket c = server.accept()) {
                    OutputStream out = c.getOutputStream();
                    out.write(telegram, 0, 100); // split across writes
                    out.flush();
                    Thread.sleep(50);
                    out.write(telegram, 100, telegram.length - 100);
                    out.write(telegram); // and a second one
                    out.flush();
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (rec.heard.stream().filter(m -> m.equals(MeterId.of("p1:K8EG004046395507:0"))).count() < 2) {
                        if (System.nanoTime() > deadline) fail("timed out: " + rec);
                        Thread.sleep(10);
                    }
                }
            }
        }
        assertEquals(List.of(), rec.bad);
        assertEquals(2, rec.readings.stream().filter(r -> r.meter().equals(MeterId.of("p1:K8EG004046395507:0")) && r.tariff() == 1 && r.subunit() == 1).count());
    }
}
