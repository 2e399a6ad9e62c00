package io.meterlink.sim.wmbus;

import io.meterlink.drivers.transport.TcpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A virtual dongle behind a raw TCP socket (a stick on ser2net): one gateway connection at a time;
 * while none is connected, what the dongle hears is dropped. Thread-safe.
 */
public final class TcpDongleServer implements DongleLink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpDongleServer.class);
    private final ServerSocket server;
    private final VirtualDongle dongle;
    private final List<byte[]> fromHost = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile TcpTransport current;

    /** @param port 0 for a free port (see {@link #port()}) */
    public TcpDongleServer(int port, VirtualDongle dongle) throws IOException {
        this.server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        this.dongle = dongle;
        thread = new Thread(this::run, "wmbus-dongle-tcp-" + server.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    public int port() { return server.getLocalPort(); }

    private void run() {
        while (running) {
            try (Socket s = server.accept()) {
                TcpTransport line = TcpTransport.connected(s);
                current = line;
                HostSide.serve(line, dongle, fromHost, writeLock, () -> running);
            } catch (IOException e) {
                if (running) LOG.debug("wM-Bus dongle TCP client left: {}", e.getMessage());
            } finally {
                current = null;
            }
        }
    }

    @Override
    public void send(byte[] bytes) {
        TcpTransport c = current;
        if (c == null) return;
        synchronized (writeLock) {
            try {
                c.write(bytes);
            } catch (IOException e) {
                LOG.debug("wM-Bus dongle TCP client gone: {}", e.getMessage());
                c.close();
            }
        }
    }

    @Override public List<byte[]> fromHost() { return List.copyOf(fromHost); }

    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        TcpTransport c = current;
        if (c != null) c.close();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
