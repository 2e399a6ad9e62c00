package io.meterlink.drivers.transport;

import java.io.IOException;

/**
 * A transport whose unchecked failures are line failures: a serial port that vanishes under jSerialComm, a socket
 * reset or a simulator that breaks may surface as a {@link RuntimeException}; here every one of them from opening,
 * reading, writing or setting the line up becomes an {@link IOException} (its trace logged at debug), {@link #isOpen}
 * answers false and {@link #close} logs it, so the driver closes the line and reopens it with back-off
 * ({@link LineDriver}) and the decoder-fault guard never counts it as the meter's bad input. Same threading as the
 * wrapped transport.
 */
public final class CheckedTransport implements Transport {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckedTransport.class);
    private final Transport line;

    private CheckedTransport(Transport line) {
        this.line = line;
    }

    /** {@code line} with its unchecked failures turned into {@link IOException}s (itself when already so). */
    public static Transport of(Transport line) {
        return line instanceof CheckedTransport ? line : new CheckedTransport(line);
    }

    /** A transport's unchecked failure as the line failure it is. */
    private static IOException lineFault(RuntimeException e) {
        return new IOException("the line failed: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
    }

    /** One call on the wrapped transport. */
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T checked(Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (RuntimeException e) {
            LOG.debug("{} failed unchecked", line.describe(), e); // a transport's bug shows its trace here
            throw lineFault(e);
        }
    }

    @Override
    public void open() throws IOException {
        checked(() -> { line.open(); return null; });
    }

    /** False when the line cannot even say (its failure is a closed line: the driver reopens it). */
    @Override
    public boolean isOpen() {
        try {
            return line.isOpen();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        checked(() -> { line.write(bytes); return null; });
    }

    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        return checked(() -> line.read(buf, timeoutMillis));
    }

    @Override
    public void drainInput() throws IOException {
        checked(() -> { line.drainInput(); return null; });
    }

    @Override
    public void setBaud(int baud) throws IOException {
        checked(() -> { line.setBaud(baud); return null; });
    }

    @Override
    public void setCharacterFormat(int dataBits, boolean evenParity) throws IOException {
        checked(() -> { line.setCharacterFormat(dataBits, evenParity); return null; });
    }

    @Override
    public String describe() {
        return line.describe();
    }

    /** A line failing to close is closed as far as the driver goes: the failure is logged with its trace. */
    @Override
    public void close() {
        try {
            line.close();
        } catch (RuntimeException e) {
            LOG.warn("closing {} failed", line.describe(), e);
        }
    }
}
