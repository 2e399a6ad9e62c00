package io.meterlink.sim.scenario;

import io.meterlink.sim.mbus.SerialMbusSlaveEndpoint;
import io.meterlink.sim.mbus.VirtualMbusBus;
import io.meterlink.sim.serial.SocatPty;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A serial M-Bus line of virtual meters: a socat pty pair, the meters on one end (jSerialComm), the
 * gateway's end a stable path. jSerialComm cannot open a socat pty again once a process has
 * closed it (jSerialComm #159), so after a gateway crash the pair is recreated under the same
 * paths, as a USB adapter re-enumerates. Not thread-safe.
 */
final class SerialLine implements AutoCloseable {
    private final Path dir;
    private final String name;
    private final int baud;
    private final VirtualMbusBus bus;
    private SocatPty pty;
    private SerialMbusSlaveEndpoint meters;

    SerialLine(Path dir, String name, int baud, VirtualMbusBus bus) throws IOException, InterruptedException {
        this.dir = dir;
        this.name = name;
        this.baud = baud;
        this.bus = bus;
        open();
    }

    private void open() throws IOException, InterruptedException {
        pty = SocatPty.start(dir, name);
        meters = new SerialMbusSlaveEndpoint(pty.meterEnd().toString(), baud, bus);
    }

    /** The device path the gateway opens (stable across {@link #recreate()}). */
    Path gatewayEnd() {
        return pty.gatewayEnd();
    }

    VirtualMbusBus bus() {
        return bus;
    }

    /** A fresh pty pair under the same paths (call while the gateway is down). */
    void recreate() throws IOException, InterruptedException {
        close();
        open();
    }

    @Override
    public void close() throws InterruptedException {
        meters.close();
        pty.close();
    }
}
