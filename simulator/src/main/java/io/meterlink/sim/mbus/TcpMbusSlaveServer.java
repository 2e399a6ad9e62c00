package io.meterlink.sim.mbus;

import io.meterlink.drivers.transport.TcpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Virtual slaves behind a raw TCP socket, like an M-Bus line behind ser2net: one connection at a
 * time; a second client waits until the first one leaves.
 */
public final class TcpMbusSlaveServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpMbusSlaveServer.class);
    private final ServerSocket server;
    private final VirtualMbusBus bus;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile TcpTransport current;

    /** @param port 0 for a free port (see {@link #port()}) */
    public TcpMbusSlaveServer(int port, VirtualMbusBus bus) throws IOException {
        this.server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        this.bus = bus;
        thread = new Thread(this::run, "mbus-slaves-tcp-" + server.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    public int port() { return server.getLocalPort(); }

    private void run() {
        while (running) {
            try (Socket s = server.accept()) {
                TcpTransport line = TcpTransport.connected(s);
                current = line;
                MbusSlaveLoop.serve(line, bus, () -> running);
            } catch (IOException e) {
                if (running) LOG.debug("M-Bus TCP client left: {}", e.getMessage());
            } finally {
                current = null;
            }
        }
    }

    /** Drops the current client connection (fault injection: the converter resets). */
    public void dropClient() {
        TcpTransport c = current;
        if (c != null) c.close();
    }

    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        dropClient();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
