package io.meterlink.drivers.iec62056.hdlc;

import io.meterlink.drivers.transport.CheckedTransport;
import io.meterlink.drivers.transport.DeadlineReads;
import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Cuts HDLC frames from a byte pipe (IEC 62056-46 §8.4.1): bytes before an opening flag are skipped,
 * repeated flags are one, the format field gives the length, and the closing flag must follow (it may
 * open the next frame, so it is left for the next read). A length above {@code maxLength} is refused
 * before its bytes are waited for. Every read that brings bytes is progress: {@code progress} is called
 * (the driver's heartbeat), so a long frame on a slow line (2 KB at 300 baud: about 68 s) keeps the
 * service watchdog fed while a line that stops sending does not. Because bytes that merely trickle in
 * would beat too, every read has a deadline of its own: {@code timeoutMs} plus twice the time the most
 * bytes it may take (the skip limit, the longest frame and its closing flag) need at the line's speed;
 * past it the read ends in an {@link HdlcException.Reason#TIMEOUT}, so a device sending one noise byte
 * just inside the timeout cannot hold the line and keep the watchdog quiet. Used by one thread.
 */
public final class HdlcReader {
    /** The slowest IEC 62056-21 speed: the deadline's base when the line's speed is not known (the longest deadline). */
    public static final int SLOWEST_BAUD = 300;
    private final Transport line;
    private final DeadlineReads reads;
    private final int baud;
    private final byte[] buf = new byte[512];
    private int pos, end;

    public HdlcReader(Transport line) {
        this(line, () -> { }, SLOWEST_BAUD, System::nanoTime);
    }

    /**
     * @param progress  called after every read that brought bytes (cheap: a heartbeat's beat)
     * @param baud      the line's speed, which sets the per-frame deadline ({@link #SLOWEST_BAUD} when unknown)
     * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime}; a simulated clock in tests)
     */
    public HdlcReader(Transport line, Runnable progress, int baud, LongSupplier nanoClock) {
        if (baud <= 0) throw new IllegalArgumentException("baud " + baud);
        this.line = CheckedTransport.of(line); // a transport's unchecked failure is a line failure (IOException), never the meter's input
        this.reads = new DeadlineReads(this.line, progress, nanoClock);
        this.baud = baud;
    }

    /** The longest one {@link #read} may take: {@code timeoutMs} plus twice the character time of every byte it may consume. */
    public long deadlineNanos(int timeoutMs, int maxLength) {
        return DeadlineReads.budgetNanos(timeoutMs, skipLimit(maxLength) + (long) maxLength + 1, baud); // noise and flags, the frame, its closing flag
    }

    private static int skipLimit(int maxLength) {
        return 2 * Math.max(maxLength, 1); // a line of endless noise or flags is no frame
    }

    /**
     * The next whole frame, decoded and checked.
     *
     * @param timeoutMs  longest wait for the first byte and between bytes
     * @param maxLength  longest frame accepted (format field to FCS), at most {@link HdlcFrame#MAX_LENGTH}
     * @return the frame, or {@code null} when nothing but noise or flags came within {@code timeoutMs}
     * @throws HdlcException {@link HdlcException.Reason#TIMEOUT} when no whole frame came within {@link #deadlineNanos}
     */
    public HdlcFrame read(int timeoutMs, int maxLength) throws IOException, HdlcException {
        reads.begin(deadlineNanos(timeoutMs, maxLength));
        int b;
        int skipped = 0, skipLimit = skipLimit(maxLength);
        do { // up to an opening flag, noise skipped
            b = next(timeoutMs);
            if (b < 0) return null;
            if (++skipped > skipLimit) throw new HdlcException(HdlcException.Reason.FORMAT, "no opening flag within " + skipLimit + " bytes");
        } while (b != (HdlcFrame.FLAG & 0xFF));
        do {
            b = next(timeoutMs);
            if (b < 0) return null;
            if (++skipped > skipLimit) throw new HdlcException(HdlcException.Reason.FORMAT, "only flags within " + skipLimit + " bytes");
        } while (b == (HdlcFrame.FLAG & 0xFF));
        int f2 = next(timeoutMs);
        if (f2 < 0) throw new HdlcException(HdlcException.Reason.TRUNCATED, "the line fell silent within the format field");
        if ((b & 0xF0) != 0xA0) throw new HdlcException(HdlcException.Reason.FORMAT, String.format("format field %02X%02X is not frame format type 3", b, f2));
        int length = (b & 0x07) << 8 | f2;
        if (length > maxLength) throw new HdlcException(HdlcException.Reason.LENGTH, "a frame of " + length + " bytes announced, at most " + maxLength + " accepted");
        if (length < 7) throw new HdlcException(HdlcException.Reason.LENGTH, "a frame of " + length + " bytes announced, less than the shortest frame");
        byte[] frame = new byte[length];
        frame[0] = (byte) b;
        frame[1] = (byte) f2;
        for (int i = 2; i < length; i++) {
            int c = next(timeoutMs);
            if (c < 0) throw new HdlcException(HdlcException.Reason.TRUNCATED, "the line fell silent after " + i + " of " + length + " bytes");
            frame[i] = (byte) c;
        }
        int close = peek(timeoutMs);
        if (close != (HdlcFrame.FLAG & 0xFF)) {
            throw new HdlcException(HdlcException.Reason.TRUNCATED, close < 0 ? "no closing flag" : String.format("byte %02X where the closing flag belongs", close));
        }
        return HdlcFrame.decode(frame);
    }

    /** Forgets buffered bytes and whatever the line already holds (before a new session). */
    public void discard() throws IOException {
        pos = end = 0;
        line.drainInput();
    }

    private int next(int timeoutMs) throws IOException, HdlcException {
        int c = peek(timeoutMs);
        if (c >= 0) pos++;
        return c;
    }

    /** The next byte, waiting at most {@code timeoutMs} and never past the frame's deadline; -1 when the line stayed silent. */
    private int peek(int timeoutMs) throws IOException, HdlcException {
        if (pos == end) {
            int n = reads.read(buf, timeoutMs);
            if (n == DeadlineReads.OVERDUE) throw overdue();
            if (n == 0) return -1;
            pos = 0;
            end = n;
        }
        return buf[pos] & 0xFF;
    }

    private HdlcException overdue() {
        return new HdlcException(HdlcException.Reason.TIMEOUT, "no whole frame within " + reads.budgetNanos() / 1_000_000 + " ms (the bytes trickle in too slowly)");
    }
}
