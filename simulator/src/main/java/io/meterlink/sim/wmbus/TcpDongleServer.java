package io.meterlink.sim.wmbus;

import io.meterlink.drivers.transport.TcpTransport;
import io.meterlink.sim.net.SingleClientTcpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A virtual dongle behind a raw TCP socket (a stick on ser2net): one gateway connection at a time;
 * while none is connected, what the dongle hears is dropped. Thread-safe.
 */
public final class TcpDongleServer extends SingleClientTcpServer implements DongleLink {
    private static final Logger LOG = LoggerFactory.getLogger(TcpDongleServer.class);
    private final VirtualDongle dongle;
    private final List<byte[]> fromHost = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();

    /** @param port 0 for a free port (see {@link #port()}) */
    public TcpDongleServer(int port, VirtualDongle dongle) throws IOException {
        super(port, "wmbus-dongle");
        this.dongle = dongle;
        start();
    }

    @Override
    protected void serve(TcpTransport line, BooleanSupplier running) throws IOException {
        HostSide.serve(line, dongle, fromHost, writeLock, running);
    }

    @Override
    public void send(byte[] bytes) {
        TcpTransport c = current();
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
}
