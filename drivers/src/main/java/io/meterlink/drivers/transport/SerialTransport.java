package io.meterlink.drivers.transport;

import com.fazecast.jSerialComm.SerialPort;

import java.io.IOException;

/**
 * A serial line through jSerialComm (real UART, USB adapter or a socat pseudo-terminal). The read
 * timeout mode is set explicitly to semi-blocking so that a silent meter never blocks a thread
 * forever (see PITFALLS.md).
 */
public final class SerialTransport implements Transport {
    /** Parity of the line; M-Bus uses even parity (EN 13757-2 §4: 8E1). */
    public enum Parity {
        NONE(SerialPort.NO_PARITY), EVEN(SerialPort.EVEN_PARITY), ODD(SerialPort.ODD_PARITY);

        final int code;

        Parity(int code) { this.code = code; }
    }

    private final String device;
    private final int baud;
    private final Parity parity;
    private final int dataBits;
    private volatile SerialPort port;

    public SerialTransport(String device, int baud, Parity parity) {
        this(device, baud, 8, parity);
    }

    /** @param dataBits 7 or 8 (7E1 for optical heads and DSMR 2.2/3 P1 ports, IEC 62056-21 §6.2) */
    public SerialTransport(String device, int baud, int dataBits, Parity parity) {
        if (dataBits != 7 && dataBits != 8) throw new IllegalArgumentException("data bits must be 7 or 8");
        this.dataBits = dataBits;
        if (device == null || device.isBlank()) throw new IllegalArgumentException("serial device must be given");
        if (baud <= 0) throw new IllegalArgumentException("baud must be > 0");
        this.device = device;
        this.baud = baud;
        this.parity = parity;
    }

    /** An M-Bus line: 8 data bits, even parity, 1 stop bit (EN 13757-2 §4.2). */
    public static SerialTransport mbus(String device, int baud) {
        return new SerialTransport(device, baud, Parity.EVEN);
    }

    @Override
    public synchronized void open() throws IOException {
        if (port != null) return;
        SerialPort p;
        try {
            p = SerialPort.getCommPort(device);
        } catch (RuntimeException e) {
            throw new IOException("cannot find serial port " + device + ": " + e.getMessage(), e);
        }
        p.setComPortParameters(baud, dataBits, SerialPort.ONE_STOP_BIT, parity.code);
        p.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        // semi-blocking: read returns as soon as at least one byte is there, or after the timeout
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 100, 0);
        if (!p.openPort()) {
            throw new IOException("cannot open serial port " + device + " (error " + p.getLastErrorCode() + ")");
        }
        port = p;
    }

    @Override
    public void setBaud(int newBaud) throws IOException {
        SerialPort p = port;
        if (p == null) throw new IOException("serial port " + device + " is closed");
        if (p.getBaudRate() == newBaud) return; // jSerialComm 2.11 reports a failure when asked for the speed it has
        if (!p.setBaudRate(newBaud)) throw new IOException("cannot set " + device + " to " + newBaud + " baud");
    }

    @Override
    public void setCharacterFormat(int bits, boolean evenParity) throws IOException {
        SerialPort p = port;
        if (p == null) throw new IOException("serial port " + device + " is closed");
        int parityCode = evenParity ? SerialPort.EVEN_PARITY : SerialPort.NO_PARITY;
        if (p.getNumDataBits() == bits && p.getParity() == parityCode) return;
        if (!p.setComPortParameters(p.getBaudRate(), bits, SerialPort.ONE_STOP_BIT, parityCode)) {
            throw new IOException("cannot set " + device + " to " + bits + (evenParity ? "E1" : "N1"));
        }
    }

    @Override
    public boolean isOpen() { return port != null; }

    @Override
    public void write(byte[] bytes) throws IOException {
        SerialPort p = requireOpen();
        int off = 0;
        while (off < bytes.length) {
            int n = p.writeBytes(bytes, bytes.length - off, off);
            if (n < 0) throw new IOException("write failed on " + device + " (error " + p.getLastErrorCode() + ")");
            off += n;
        }
    }

    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        SerialPort p = requireOpen();
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                Math.max(1, timeoutMillis), 0);
        int n = p.readBytes(buf, buf.length);
        if (n < 0) {
            throw new IOException("read failed on " + device + " (error " + p.getLastErrorCode() + ")");
        }
        return n;
    }

    @Override
    public void drainInput() throws IOException {
        SerialPort p = requireOpen();
        byte[] scratch = new byte[256];
        while (p.bytesAvailable() > 0) {
            int n = p.readBytes(scratch, Math.min(scratch.length, p.bytesAvailable()));
            if (n <= 0) break;
        }
    }

    private SerialPort requireOpen() throws IOException {
        SerialPort p = port;
        if (p == null) throw new IOException("serial port " + device + " is not open");
        return p;
    }

    @Override
    public String describe() { return "serial:" + device + "@" + baud; }

    @Override
    public synchronized void close() {
        SerialPort p = port;
        port = null;
        if (p != null) p.closePort();
    }
}
