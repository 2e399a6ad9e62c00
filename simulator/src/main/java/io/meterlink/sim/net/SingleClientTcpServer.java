package io.meterlink.sim.net;

import io.meterlink.drivers.transport.TcpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.BooleanSupplier;

/**
 * A raw TCP socket on loopback serving one client at a time, like a serial device behind ser2net: a
 * second client waits until the first one leaves. Subclasses say what to do with a connected line.
 * Thread-safe.
 */
public abstract class SingleClientTcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SingleClientTcpServer.class);
    private final ServerSocket server;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile TcpTransport current;

    /**
     * @param port 0 for a free port (see {@link #port()})
     * @param name thread name prefix and what log lines call the device
     */
    protected SingleClientTcpServer(int port, String name) throws IOException {
        this.server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> run(name), name + "-tcp-" + server.getLocalPort());
        thread.setDaemon(true);
    }

    /** Starts accepting; call at the end of the subclass constructor. */
    protected final void start() { thread.start(); }

    public final int port() { return server.getLocalPort(); }

    /** Serves one connected client until it leaves or {@code running} turns false. */
    protected abstract void serve(TcpTransport line, BooleanSupplier running) throws IOException;

    /** The connected client's line, or null when none is connected. */
    protected final TcpTransport current() { return current; }

    private void run(String name) {
        while (running) {
            try (Socket s = server.accept()) {
                TcpTransport line = TcpTransport.connected(s);
                current = line;
                serve(line, () -> running);
            } catch (IOException e) {
                if (running) LOG.debug("{}: TCP client left: {}", name, e.getMessage());
            } finally {
                current = null;
            }
        }
    }

    /** Drops the current client connection (fault injection: the converter resets). */
    public final void dropClient() {
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
