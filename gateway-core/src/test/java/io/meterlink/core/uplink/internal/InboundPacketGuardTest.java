package io.meterlink.core.uplink.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InboundPacketGuardTest {
    private static final int LIMIT = 1024;

    @Test
    void smallPackets_passUnchanged() throws IOException {
        byte[] stream = concat(publish("a/cmd/x", 7, new byte[300]), new byte[] {(byte) 0xD0, 0x00}, // PINGRESP
                publish("a/cmd/y", 8, new byte[LIMIT - 20]));
        List<InboundPacketGuard.Cut> cuts = new ArrayList<>();
        assertArrayEquals(stream, readAll(new InboundPacketGuard(new ByteArrayInputStream(stream), LIMIT, true, cuts::add)));
        assertEquals(List.of(), cuts);
    }

    @Test
    void oversizedPublish311_payloadCut_topicAndPacketIdKept_nextPacketIntact() throws IOException {
        byte[] big = new byte[5 * 1024 * 1024];
        Arrays.fill(big, (byte) 'x');
        byte[] after = publish("gw/cmd/ping", 9, "hi".getBytes(StandardCharsets.UTF_8));
        byte[] stream = concat(publish("gw/cmd/apply-bundle/1", 0x1234, big), after);
        List<InboundPacketGuard.Cut> cuts = new ArrayList<>();
        byte[] out = readAll(new InboundPacketGuard(new ByteArrayInputStream(stream), LIMIT, true, cuts::add));
        assertArrayEquals(concat(publish("gw/cmd/apply-bundle/1", 0x1234, new byte[0]), after), out);
        assertEquals(List.of(new InboundPacketGuard.Cut("gw/cmd/apply-bundle/1", 0x1234, big.length)), cuts);
    }

    @Test
    void readTimeouts_anywhere_keepTheState() throws IOException {
        byte[] big = new byte[100_000];
        byte[] stream = concat(publish("t/cmd/a", 1, big), publish("t/cmd/b", 2, new byte[10]));
        List<InboundPacketGuard.Cut> cuts = new ArrayList<>();
        InputStream flaky = new InputStream() {
            int pos;
            int calls;

            @Override public int read() throws IOException {
                if (++calls % 3 == 0) throw new SocketTimeoutException("read timed out");
                return pos < stream.length ? stream[pos++] & 0xFF : -1;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (++calls % 3 == 0) throw new SocketTimeoutException("read timed out");
                if (pos >= stream.length) return -1;
                int n = Math.min(Math.min(len, 7), stream.length - pos);
                System.arraycopy(stream, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        InboundPacketGuard g = new InboundPacketGuard(flaky, LIMIT, true, cuts::add);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64];
        while (true) {
            int n;
            try {
                n = g.read(buf, 0, buf.length);
            } catch (SocketTimeoutException e) {
                continue; // as Paho does
            }
            if (n < 0) break;
            out.write(buf, 0, n);
        }
        assertArrayEquals(concat(publish("t/cmd/a", 1, new byte[0]), publish("t/cmd/b", 2, new byte[10])), out.toByteArray());
        assertEquals(1, cuts.size());
    }

    @Test
    void oversizedPacket_whenNotCutting_dropsTheConnection() {
        byte[] stream = publish("gw/cmd/x", 3, new byte[LIMIT * 2]);
        IOException e = assertThrows(IOException.class,
                () -> readAll(new InboundPacketGuard(new ByteArrayInputStream(stream), LIMIT, false, c -> { })));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @Test
    void oversizedNonPublish_dropsTheConnection() {
        byte[] stream = concat(new byte[] {(byte) 0x90}, remainingLength(LIMIT * 3), new byte[LIMIT * 3]); // SUBACK
        assertThrows(IOException.class, () -> readAll(new InboundPacketGuard(new ByteArrayInputStream(stream), LIMIT, true, c -> { })));
    }

    @Test
    void plainSocketFactory_guardsTheSocketsInputStream() throws Exception {
        byte[] big = publish("gw/cmd/x", 5, new byte[LIMIT * 4]);
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (java.net.Socket peer = server.accept()) {
                    peer.getOutputStream().write(big);
                } catch (IOException ignored) {
                    // the test fails on the reading side
                }
            });
            t.start();
            List<InboundPacketGuard.Cut> cuts = new ArrayList<>();
            javax.net.SocketFactory f = GuardedSockets.factory(null, in -> new InboundPacketGuard(in, LIMIT, true, cuts::add));
            try (java.net.Socket s = f.createSocket()) {
                s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort()));
                assertArrayEquals(publish("gw/cmd/x", 5, new byte[0]), readAll(s.getInputStream()));
            }
            t.join(10_000);
            assertEquals(1, cuts.size());
        }
    }

    /** An MQTT 3.1.1 PUBLISH, QoS 1 (§3.3): fixed header, topic, packet id, payload. */
    static byte[] publish(String topic, int packetId, byte[] payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        int rem = 2 + t.length + 2 + payload.length;
        return concat(new byte[] {0x32}, remainingLength(rem), new byte[] {(byte) (t.length >> 8), (byte) t.length}, t,
                new byte[] {(byte) (packetId >> 8), (byte) packetId}, payload);
    }

    static byte[] remainingLength(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int d = n % 128;
            n /= 128;
            out.write(n > 0 ? d | 0x80 : d);
        } while (n > 0);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[333];
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) out.write(buf, 0, n);
        return out.toByteArray();
    }
}
