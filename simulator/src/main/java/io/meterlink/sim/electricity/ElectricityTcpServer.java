package io.meterlink.sim.electricity;

import io.meterlink.drivers.transport.TcpTransport;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Virtual electricity meters behind a raw TCP port, as a serial-to-Ethernet converter (ser2net in raw
 * mode) puts a meter's line on the network: each accepted connection is the line, served by a fresh
 * {@link ElectricityLineEndpoint} (pushing meters push to it, IEC 62056-21 meters answer on it; no
 * speed switch on TCP). One client at a time; a new one replaces the old. Its own thread.
 */
public final class ElectricityTcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElectricityTcpServer.class);

    /** Serves the meters on one accepted line. */
    public interface Lines {
        ElectricityLineEndpoint serve(Transport line) throws IOException;
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final Lines lines;
    private volatile ElectricityLineEndpoint current;
    private volatile boolean closed;

    public ElectricityTcpServer(InetAddress bind, int port, Lines lines) throws IOException {
        this.lines = lines;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bind, port));
        acceptor = new Thread(this::acceptLoop, "electricity-tcp-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() { return server.getLocalPort(); }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                ElectricityLineEndpoint old = current;
                if (old != null) old.close();
                current = lines.serve(TcpTransport.connected(s));
            } catch (IOException e) {
                if (!closed) LOG.warn("virtual electricity meters on tcp port {}: {}", port(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        ElectricityLineEndpoint c = current;
        if (c != null) c.close();
    }
}
