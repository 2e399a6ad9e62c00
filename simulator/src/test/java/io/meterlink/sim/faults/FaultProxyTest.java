package io.meterlink.sim.faults;

import io.meterlink.sim.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The fault proxy in front of a real TCP echo server, with real sockets on 127.0.0.1. */
class FaultProxyTest {
    private EchoServer echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = new FaultProxy(0, "127.0.0.1", echo.port());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(30_000);
        return s;
    }

    /**
     * A connect to the cut proxy's port gets no working link: refused, or (when the kernel completed it
     * while the closing listener's accept was still returning) reset or closed at once without data.
     * Linux may also connect a client socket to itself when it picks the free port as its source (TCP
     * simultaneous open): no listener either. Any connection that stays open fails the test.
     */
    private void assertRefusedWhileCut() throws IOException {
        Socket s;
        try {
            s = connect();
        } catch (ConnectException expected) {
            return;
        }
        try (s) {
            if (s.getLocalPort() == s.getPort()) return; // connected to itself
            s.setSoTimeout(10_000);
            int b;
            try {
                b = s.getInputStream().read();
            } catch (java.net.SocketTimeoutException stillOpen) {
                throw new AssertionError("refused while cut: a connection was accepted and stayed open", stillOpen);
            } catch (IOException reset) {
                return;
            }
            assertEquals(-1, b, "refused while cut: the proxy sent data");
        }
    }

    private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
        s.getOutputStream().write(data);
        byte[] back = new byte[data.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        return back;
    }

    @Test
    void forwardsBytesUntouched_bothWays_andCounts() throws Exception {
        byte[] data = new byte[200_000];
        new Random(1).nextBytes(data);
        try (Socket s = connect()) {
            assertArrayEquals(data, roundTrip(s, data));
        }
        Await.until(() -> proxy.stats().connectionsOpen() == 0);
        FaultProxy.Stats st = proxy.stats();
        assertEquals(200_000, st.bytesUpstream());
        assertEquals(200_000, st.bytesDownstream());
        assertEquals(1, st.connectionsAccepted());
    }

    @Test
    void cut_resetsOpenConnections_refusesNew_untilRestore() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "hello".getBytes(StandardCharsets.US_ASCII));
            proxy.cut();
            InputStream in = s.getInputStream();
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) { // the RST arrives; a write or read then fails
                    s.getOutputStream().write(1);
                    if (in.read() < 0) throw new IOException("closed");
                }
            });
            assertNotNull(e);
        }
        assertRefusedWhileCut();
        assertTrue(proxy.isCut());
        assertEquals(1, proxy.stats().cuts());
        proxy.restore();
        try (Socket s = connect()) {
            assertArrayEquals("again".getBytes(StandardCharsets.US_ASCII), roundTrip(s, "again".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void blackHole_keepsSocketOpen_forwardsNothing_thenDeliversHeldBytesAfterRestore() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "a".getBytes(StandardCharsets.US_ASCII));
            proxy.blackHole();
            s.setSoTimeout(1_000);
            s.getOutputStream().write("held".getBytes(StandardCharsets.US_ASCII));
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(), "nothing comes back, no RST");
            assertTrue(s.isConnected() && !s.isClosed());
            long up = proxy.stats().bytesUpstream();
            assertEquals(1, up, "only the byte before the black hole went through");
            proxy.restore();
            s.setSoTimeout(30_000);
            byte[] back = new byte[4];
            new DataInputStream(s.getInputStream()).readFully(back);
            assertEquals("held", new String(back, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void latency_delaysEachDirection() throws Exception {
        proxy.latency(FaultProxy.Direction.UPSTREAM, Duration.ofMillis(300));
        proxy.latency(FaultProxy.Direction.DOWNSTREAM, Duration.ofMillis(200));
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            roundTrip(s, "ping".getBytes(StandardCharsets.US_ASCII));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 500, "a round trip takes at least both delays, took " + ms + " ms");
        }
    }

    @Test
    void bandwidthCap_limitsThroughput() throws Exception {
        proxy.bandwidth(20_000);
        byte[] data = new byte[20_000];
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertArrayEquals(data, roundTrip(s, data));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 800, "20 kB at 20 kB/s takes about a second, took " + ms + " ms");
        }
    }

    @Test
    void clientHalfClose_isPassedOn_asFin() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            byte[] all = s.getInputStream().readAllBytes(); // echo closes after our FIN: EOF, not reset
            assertEquals("bye", new String(all, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void flap_cutsAndRestoresRepeatedly_thenStopsUp() throws Exception {
        proxy.flap(Duration.ofMillis(50), Duration.ofMillis(150), Duration.ofMillis(50), Duration.ofMillis(150), 7);
        Await.until(() -> proxy.stats().cuts() >= 3);
        proxy.stopFlapping();
        assertFalse(proxy.isCut());
        assertFalse(proxy.isFlapping());
        long cuts = proxy.stats().cuts();
        try (Socket s = connect()) {
            assertArrayEquals(new byte[] {9}, roundTrip(s, new byte[] {9}));
        }
        // stopFlapping joined the flapping thread: no sleep needed, a cut now could only come from elsewhere
        assertEquals(cuts, proxy.stats().cuts(), "no cut after stopFlapping");
    }

    @Test
    void serverDown_clientConnectionClosed_andCounted() throws Exception {
        echo.close();
        try (Socket s = connect()) {
            int r;
            try {
                r = s.getInputStream().read();
            } catch (SocketException e) {
                r = -1;
            }
            assertEquals(-1, r);
        }
        Await.until(() -> proxy.stats().upstreamFailures() == 1);
        assertEquals(0, Arrays.stream(new long[] {proxy.stats().bytesUpstream()}).sum());
    }
}
