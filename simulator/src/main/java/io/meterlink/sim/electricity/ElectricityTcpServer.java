package io.meterlink.sim.electricity;

import io.meterlink.drivers.transport.TcpTransport;
import io.meterlink.drivers.transport.Transport;
import io.meterlink.sim.net.SingleClientTcpServer;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * Virtual electricity meters behind a raw TCP port on loopback, as a serial-to-Ethernet converter
 * (ser2net in raw mode) puts a meter's line on the network: the connected client's socket is the line,
 * served by an {@link ElectricityLineEndpoint} (pushing meters push to it, IEC 62056-21 meters answer
 * on it; no speed switch on TCP) until the client leaves. One client at a time. Thread-safe.
 */
public final class ElectricityTcpServer extends SingleClientTcpServer {
    /** Serves the meters on one connected line. */
    public interface Lines {
        ElectricityLineEndpoint serve(Transport line) throws IOException;
    }

    private final Lines lines;

    /** @param port 0 for a free port (see {@link #port()}) */
    public ElectricityTcpServer(int port, Lines lines) throws IOException {
        super(port, "electricity");
        this.lines = lines;
        start();
    }

    @Override
    protected void serve(TcpTransport line, BooleanSupplier running) throws IOException {
        ElectricityLineEndpoint endpoint = lines.serve(line);
        try {
            while (running.getAsBoolean() && endpoint.serving()) Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            endpoint.close();
        }
    }
}
