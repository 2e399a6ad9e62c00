package io.meterlink.drivers.transport;

import java.io.IOException;

/**
 * One byte pipe to a meter line: a serial port, a raw TCP socket (ser2net), a radio dongle or a
 * simulator. Knows nothing of meters or frames. Not thread-safe: one driver thread uses it (except
 * {@link #close()}, which may be called from another thread to unblock a reader).
 */
public interface Transport extends AutoCloseable {
    /** Opens the pipe; a no-op when already open. */
    void open() throws IOException;

    boolean isOpen();

    /** Writes all bytes and flushes them to the line. */
    void write(byte[] bytes) throws IOException;

    /**
     * Reads up to {@code buf.length} bytes, waiting at most {@code timeoutMillis} for the first one.
     *
     * @return number of bytes read, or 0 when nothing arrived in time
     * @throws IOException when the pipe is broken or closed (never on a mere timeout)
     */
    int read(byte[] buf, int timeoutMillis) throws IOException;

    /** Discards every byte already received and not yet read (stale answers, line noise). */
    void drainInput() throws IOException;

    /**
     * Changes the line speed (IEC 62056-21 baud switch after the identification message). A no-op
     * for pipes without a speed of their own (TCP, where the converter keeps its rate).
     */
    default void setBaud(int baud) throws IOException { }

    /**
     * Changes the character format: 7 or 8 data bits, even parity or none, one stop bit (IEC 62056-21
     * mode E: 7E1 for the sign-on, 8N1 once HDLC is acknowledged). A no-op for pipes without one (TCP).
     */
    default void setCharacterFormat(int dataBits, boolean evenParity) throws IOException { }

    /** Human-readable endpoint for logs and health reports, e.g. {@code serial:/dev/ttyUSB0@2400}. */
    String describe();

    /** Releases the pipe; idempotent, never throws. */
    @Override
    void close();
}
