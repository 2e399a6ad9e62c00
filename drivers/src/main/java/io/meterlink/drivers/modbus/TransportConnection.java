package io.meterlink.drivers.modbus;

import com.ghgande.j2mod.modbus.io.AbstractModbusTransport;
import com.ghgande.j2mod.modbus.io.ModbusRTUTransport;
import com.ghgande.j2mod.modbus.net.AbstractSerialConnection;
import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.util.Set;

/**
 * j2mod's serial connection over one of our {@link Transport}s, so that j2mod's RTU framing, CRC
 * and inter-frame timing run on the same serial line code as every other driver (a jSerialComm
 * port, a socat pty) and, unchanged, on a raw TCP socket to a serial server (RTU over TCP). The
 * line's character time (start + data + parity + stop bits at {@code baud}) gives j2mod its 3.5
 * character silence; a read waits at most the response timeout plus the characters' transfer time.
 *
 * <p>A failure of the line itself is kept ({@link #takeLineFailure()}) so that the driver can reopen
 * it instead of counting it as a meter's fault. One thread uses it (the driver's), except {@link #close()}.
 */
final class TransportConnection extends AbstractSerialConnection {
    private final Transport transport;
    private final int baud;
    private final int parity;
    private final int stopBits;
    private final ModbusRTUTransport rtu = new ModbusRTUTransport();
    private final byte[] pending = new byte[512];
    private int pendingStart;
    private int pendingEnd;
    private int timeoutMillis = 1000;
    private long receivedSinceWrite;
    private IOException lineFailure;

    /**
     * @param parity   one of {@link AbstractSerialConnection#NO_PARITY}, {@code EVEN_PARITY}, {@code ODD_PARITY}
     * @param stopBits 1 or 2
     */
    TransportConnection(Transport transport, int baud, int parity, int stopBits) throws IOException {
        this.transport = transport;
        this.baud = baud;
        this.parity = parity;
        this.stopBits = stopBits;
        rtu.setCommPort(this);
    }

    /** Microseconds one character takes on the line (11 bits at 8E1/8N2). */
    long charMicros() {
        int bits = 1 + 8 + (parity == NO_PARITY ? 0 : 1) + stopBits;
        return bits * 1_000_000L / baud;
    }

    @Override
    public void open() throws IOException {
        transport.open();
    }

    @Override
    public AbstractModbusTransport getModbusTransport() { return rtu; }

    ModbusRTUTransport rtu() { return rtu; }

    @Override
    public int readBytes(byte[] buffer, int bytesToRead) {
        long deadline = System.nanoTime() + (timeoutMillis * 1000L + bytesToRead * charMicros()) * 1000L;
        int got = 0;
        while (got < bytesToRead) {
            if (pendingStart == pendingEnd) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0 || !fill((int) Math.min(leftMs, Integer.MAX_VALUE))) break;
                continue;
            }
            int n = Math.min(bytesToRead - got, pendingEnd - pendingStart);
            System.arraycopy(pending, pendingStart, buffer, got, n);
            pendingStart += n;
            got += n;
        }
        return got;
    }

    /** Reads what the line has within {@code waitMillis} into the pending buffer; false when nothing came. */
    private boolean fill(int waitMillis) {
        if (lineFailure != null) return false;
        pendingStart = 0;
        pendingEnd = 0;
        try {
            int n = transport.read(pending, Math.max(1, waitMillis));
            pendingEnd = n;
            receivedSinceWrite += n;
            return n > 0;
        } catch (IOException e) {
            lineFailure = e;
            return false;
        }
    }

    @Override
    public int writeBytes(byte[] buffer, int bytesToWrite) {
        if (lineFailure != null) return -1;
        try {
            byte[] out = new byte[bytesToWrite];
            System.arraycopy(buffer, 0, out, 0, bytesToWrite);
            // RTU has no message delimiters: whatever came before the request is stale (a late answer, noise)
            pendingStart = pendingEnd = 0;
            transport.drainInput();
            transport.write(out);
            receivedSinceWrite = 0;
            return bytesToWrite;
        } catch (IOException e) {
            lineFailure = e;
            return -1;
        }
    }

    /**
     * Bytes already read from the line and not yet taken. Never waits: a serial read's shortest wait is
     * a tenth of a second (termios VTIME), too long for j2mod's "anything stale?" check before each
     * request; stale input is dropped when the request is written instead.
     */
    @Override
    public int bytesAvailable() {
        return pendingEnd - pendingStart;
    }

    /** Bytes that arrived since the last request was written (0: the slave was silent). */
    long receivedSinceWrite() { return receivedSinceWrite; }

    /** Forgets what is buffered (after a failed exchange the rest of a bad answer is noise). */
    void discardInput() {
        pendingStart = pendingEnd = 0;
        try {
            transport.drainInput();
        } catch (IOException e) {
            lineFailure = e;
        }
    }

    /** The line's own failure since the last call (then the line must be reopened), or {@code null}. */
    IOException takeLineFailure() {
        IOException e = lineFailure;
        lineFailure = null;
        return e;
    }

    @Override
    public void close() { transport.close(); }

    @Override
    public int getBaudRate() { return baud; }

    @Override
    public int getNumDataBits() { return 8; }

    @Override
    public int getNumStopBits() { return stopBits; }

    @Override
    public int getParity() { return parity; }

    @Override
    public String getPortName() { return transport.describe(); }

    @Override
    public String getDescriptivePortName() { return transport.describe(); }

    @Override
    public void setComPortTimeouts(int newTimeoutMode, int newReadTimeout, int newWriteTimeout) {
        if (newReadTimeout > 0) timeoutMillis = newReadTimeout;
    }

    @Override
    public boolean isOpen() { return transport.isOpen(); }

    @Override
    public int getTimeout() { return timeoutMillis; }

    @Override
    public void setTimeout(int timeout) { timeoutMillis = timeout; }

    @Override
    public Set<String> getCommPorts() { return Set.of(transport.describe()); }
}
