package io.meterlink.sim.wmbus;

import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A virtual dongle on a serial device, e.g. one end of a socat pseudo-terminal pair (the gateway
 * opens the other end as it would a USB stick). Opened through jSerialComm, 8N1. Thread-safe.
 */
public final class SerialDongleEndpoint implements DongleLink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SerialDongleEndpoint.class);
    private final Transport line;
    private final List<byte[]> fromHost = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();
    private final Thread reader;
    private volatile boolean running = true;

    public SerialDongleEndpoint(String device, int baud, VirtualDongle dongle) throws IOException {
        this.line = new SerialTransport(device, baud, SerialTransport.Parity.NONE);
        line.open();
        reader = new Thread(() -> {
            try {
                HostSide.serve(line, dongle, fromHost, writeLock, () -> running);
            } catch (IOException e) {
                if (running) LOG.warn("virtual {} on {} stopped: {}", dongle.type(), line.describe(), e.getMessage());
            }
        }, "wmbus-dongle-" + device);
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        synchronized (writeLock) {
            line.write(bytes);
        }
    }

    @Override public List<byte[]> fromHost() { return List.copyOf(fromHost); }

    @Override
    public void close() {
        running = false;
        reader.interrupt();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        line.close();
    }
}
