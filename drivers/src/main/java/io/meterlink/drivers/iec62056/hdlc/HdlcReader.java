package io.meterlink.drivers.iec62056.hdlc;

import io.meterlink.drivers.transport.Transport;

import java.io.IOException;

/**
 * Cuts HDLC frames from a byte pipe (IEC 62056-46 §8.4.1): bytes before an opening flag are skipped,
 * repeated flags are one, the format field gives the length, and the closing flag must follow (it may
 * open the next frame, so it is left for the next read). A length above {@code maxLength} is refused
 * before its bytes are waited for. Every read that brings bytes is progress: {@code progress} is called
 * (the driver's heartbeat), so a long frame on a slow line (2 KB at 300 baud: about 68 s) keeps the
 * service watchdog fed while a line that stops sending does not. Used by one thread.
 */
public final class HdlcReader {
    private final Transport line;
    private final Runnable progress;
    private final byte[] buf = new byte[512];
    private int pos, end;

    public HdlcReader(Transport line) {
        this(line, () -> { });
    }

    /** @param progress called after every read that brought bytes (cheap: a heartbeat's beat) */
    public HdlcReader(Transport line, Runnable progress) {
        this.line = line;
        this.progress = progress;
    }

    /**
     * The next whole frame, decoded and checked.
     *
     * @param timeoutMs  longest wait for the first byte and between bytes
     * @param maxLength  longest frame accepted (format field to FCS), at most {@link HdlcFrame#MAX_LENGTH}
     * @return the frame, or {@code null} when nothing but noise or flags came within {@code timeoutMs}
     */
    public HdlcFrame read(int timeoutMs, int maxLength) throws IOException, HdlcException {
        int b;
        int skipped = 0, skipLimit = 2 * Math.max(maxLength, 1); // a line of endless noise or flags is no frame
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

    private int next(int timeoutMs) throws IOException {
        int c = peek(timeoutMs);
        if (c >= 0) pos++;
        return c;
    }

    private int peek(int timeoutMs) throws IOException {
        if (pos == end) {
            int n = line.read(buf, timeoutMs);
            if (n <= 0) return -1;
            progress.run();
            pos = 0;
            end = n;
        }
        return buf[pos] & 0xFF;
    }
}
