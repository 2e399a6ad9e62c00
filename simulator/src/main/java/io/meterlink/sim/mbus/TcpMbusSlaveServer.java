package io.meterlink.sim.mbus;

import io.meterlink.drivers.transport.TcpTransport;
import io.meterlink.sim.net.SingleClientTcpServer;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * Virtual slaves behind a raw TCP socket, like an M-Bus line behind ser2net: one connection at a
 * time; a second client waits until the first one leaves.
 */
public final class TcpMbusSlaveServer extends SingleClientTcpServer {
    private final VirtualMbusBus bus;

    /** @param port 0 for a free port (see {@link #port()}) */
    public TcpMbusSlaveServer(int port, VirtualMbusBus bus) throws IOException {
        super(port, "mbus-slaves");
        this.bus = bus;
        start();
    }

    @Override
    protected void serve(TcpTransport line, BooleanSupplier running) throws IOException {
        MbusSlaveLoop.serve(line, bus, running);
    }
}
