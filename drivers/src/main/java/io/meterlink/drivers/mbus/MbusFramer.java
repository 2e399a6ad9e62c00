package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.Arrays;

/**
 * Cuts a byte stream into wired M-Bus frames (EN 13757-2 §5.2): single character E5, short frame,
 * control/long frame. Feed it whatever the transport delivered; take frames with {@link #next()}.
 * Bytes before a start byte are skipped and reported; a frame with a bad length, stop byte or
 * checksum is reported and the framer resynchronises one byte after its start. Never holds more
 * than one maximum-size frame plus one read chunk. Not thread-safe.
 */
public final class MbusFramer {
    /** 68 L L 68 + L bytes + CS 16 with L at most 255. */
    public static final int MAX_FRAME = 255 + 6;
    private static final int START_SHORT = 0x10;
    private static final int START_LONG = 0x68;
    private static final int STOP = 0x16;

    private byte[] buf = new byte[2 * MAX_FRAME];
    private int start;
    private int end;

    /** Appends received bytes. */
    public void feed(byte[] bytes, int off, int len) {
        if (len <= 0) return;
        compact();
        if (end + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + len));
        }
        System.arraycopy(bytes, off, buf, end, len);
        end += len;
    }

    public void feed(byte[] bytes) { feed(bytes, 0, bytes.length); }

    /** Bytes held that are not yet part of a returned frame. */
    public int buffered() { return end - start; }

    /** Drops everything buffered (e.g. before sending a new request). */
    public void reset() {
        start = 0;
        end = 0;
        if (buf.length > 2 * MAX_FRAME) buf = new byte[2 * MAX_FRAME];
    }

    /**
     * The next complete frame, or {@code null} when more input is needed.
     *
     * @throws DecodeException for skipped garbage (SYNTAX) or a refused frame (LENGTH, CHECKSUM,
     *                         SYNTAX); the offending bytes are consumed, so calling again goes on
     */
    public MbusFrame next() throws DecodeException {
        int skipped = 0;
        while (start < end) {
            int b = u(start);
            if (b == MbusFrame.Ack.BYTE || b == START_SHORT || b == START_LONG) break;
            start++;
            skipped++;
        }
        if (skipped > 0) {
            throw new DecodeException(Kind.SYNTAX, skipped + " byte(s) of line noise before a frame start skipped");
        }
        if (start >= end) return null;
        int b = u(start);
        if (b == MbusFrame.Ack.BYTE) {
            start++;
            return new MbusFrame.Ack();
        }
        return b == START_SHORT ? shortFrame() : longFrame();
    }

    private MbusFrame shortFrame() throws DecodeException {
        if (buffered() < 5) return null;
        int c = u(start + 1), a = u(start + 2), cs = u(start + 3), stop = u(start + 4);
        if (stop != STOP) throw refuse(Kind.SYNTAX, "short frame without stop byte 16");
        if (((c + a) & 0xFF) != cs) throw refuse(Kind.CHECKSUM, "short frame checksum mismatch");
        start += 5;
        return new MbusFrame.Short(c, a);
    }

    private MbusFrame longFrame() throws DecodeException {
        if (buffered() < 4) return null;
        int l1 = u(start + 1), l2 = u(start + 2);
        if (l1 != l2) throw refuse(Kind.LENGTH, "long frame length fields differ (" + l1 + " vs " + l2 + ")");
        if (u(start + 3) != START_LONG) throw refuse(Kind.SYNTAX, "long frame without second start byte 68");
        if (l1 < 3) throw refuse(Kind.LENGTH, "long frame length " + l1 + " < 3 (C, A, CI)");
        int total = l1 + 6;
        if (buffered() < total) return null;
        int sum = 0;
        for (int i = start + 4; i < start + 4 + l1; i++) sum += buf[i];
        if (u(start + total - 1) != STOP) throw refuse(Kind.SYNTAX, "long frame without stop byte 16");
        if ((sum & 0xFF) != u(start + 4 + l1)) throw refuse(Kind.CHECKSUM, "long frame checksum mismatch");
        byte[] data = Arrays.copyOfRange(buf, start + 7, start + 4 + l1);
        MbusFrame.Long f = new MbusFrame.Long(u(start + 4), u(start + 5), u(start + 6), data);
        start += total;
        return f;
    }

    /** Drops the start byte only, so that a real frame hidden behind a false start is still found. */
    private DecodeException refuse(Kind kind, String message) {
        start++;
        return new DecodeException(kind, message);
    }

    private int u(int i) { return buf[i] & 0xFF; }

    private void compact() {
        if (start == 0) return;
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
    }

    /**
     * Parses exactly one whole frame (e.g. a hex line); trailing or missing bytes are an error.
     */
    public static MbusFrame parse(byte[] bytes) throws DecodeException {
        MbusFramer f = new MbusFramer();
        f.feed(bytes);
        if (bytes.length == 0) throw new DecodeException(Kind.TRUNCATED, "empty frame");
        int first = bytes[0] & 0xFF;
        if (first != MbusFrame.Ack.BYTE && first != START_SHORT && first != START_LONG) {
            throw new DecodeException(Kind.SYNTAX, String.format("no M-Bus start byte (got %02X)", first));
        }
        MbusFrame frame = f.next();
        if (frame == null) throw new DecodeException(Kind.TRUNCATED, "frame truncated (" + bytes.length + " bytes)");
        if (f.buffered() != 0) throw new DecodeException(Kind.LENGTH, f.buffered() + " byte(s) after the frame");
        return frame;
    }
}
