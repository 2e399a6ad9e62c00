package io.meterlink.sim.mbus;

import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Virtual slaves answering on a serial device, e.g. one end of a socat pseudo-terminal pair
 * (the gateway opens the other end). Opens the device through jSerialComm, 8E1.
 */
public final class SerialMbusSlaveEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SerialMbusSlaveEndpoint.class);
    private final Transport line;
    private final VirtualMbusBus bus;
    private final Thread thread;
    private volatile boolean running = true;

    public SerialMbusSlaveEndpoint(String device, int baud, VirtualMbusBus bus) throws IOException {
        this.line = SerialTransport.mbus(device, baud);
        this.bus = bus;
        line.open();
        thread = new Thread(this::run, "mbus-slaves-" + device);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            MbusSlaveLoop.serve(line, bus, () -> running);
        } catch (IOException e) {
            if (running) LOG.warn("virtual M-Bus slaves on {} stopped: {}", line.describe(), e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        line.close();
    }
}
