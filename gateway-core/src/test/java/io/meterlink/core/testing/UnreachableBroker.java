package io.meterlink.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * An uplink port no other process can take while a test runs (a port closed again at once could be
 * reused by anyone): a loopback listener that drops every connection before CONNECT, a broker that is
 * never reachable. Shared with the distribution's tests through this module's test jar.
 */
public final class UnreachableBroker implements AutoCloseable {
    private final ServerSocket socket;

    private UnreachableBroker(ServerSocket socket) {
        this.socket = socket;
    }

    /** Binds a free loopback port and starts dropping connections on it. */
    public static UnreachableBroker start() {
        try {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!s.isClosed()) {
                    try {
                        s.accept().close();
                    } catch (IOException e) {
                        // closed: the test is over; otherwise keep listening
                    }
                }
            }, "unreachable-broker");
            t.setDaemon(true);
            t.start();
            return new UnreachableBroker(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bound port. */
    public int port() {
        return socket.getLocalPort();
    }

    /** A plaintext development URL of it: {@code tcp://127.0.0.1:PORT}. */
    public String url() {
        return "tcp://127.0.0.1:" + port();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
