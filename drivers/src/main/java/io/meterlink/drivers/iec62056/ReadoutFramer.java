package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.obis.FrameCutter;

import java.util.Arrays;

/**
 * Cuts a byte stream into IEC 62056-21 readouts and DSMR P1 telegrams: from the identification
 * message {@code /XXXZ<ident>} (or, without one, from STX) to the end of the data message: ETX and
 * its BCC when the data message began with STX (IEC 62056-21 §6.3.14), else the line that starts with
 * {@code !} (with P1's 4 CRC digits) up to its line feed, or the stream's end. A request echo
 * {@code /?…!} is skipped; other bytes outside a telegram (a stream that starts mid-telegram, trailing
 * noise) are reported once per run; a telegram cut by the next start is reported as truncated.
 * Not thread-safe.
 */
public final class ReadoutFramer extends FrameCutter {
    public static final int MAX_TELEGRAM = 16 * 1024;
    static final byte STX = 0x02, ETX = 0x03;

    public ReadoutFramer() { super("telegram"); }

    @Override
    protected boolean idle(byte b) {
        return b == ' ' || b == '\r' || b == '\n' || b == '\t' || b == 0 || b == 0x7F || b == (byte) 0xFF; // line noise
    }

    /** Returns how many bytes are done with. */
    @Override
    protected int scan(Listener out, boolean atEnd) {
        int i = 0;
        while (i < len) {
            int s = findStart(i);
            if (s < 0) {
                skip(i, len - i);
                return len;
            }
            skip(i, s - i);
            if (buf[s] == '/' && s + 1 < len && buf[s + 1] == '?') { // a request (echoed by the optical head): not ours
                int lf = indexOf((byte) '\n', s, len);
                if (lf < 0) return atEnd ? len : s;
                i = lf + 1;
                continue;
            }
            if (buf[s] == '/' && s + 1 == len && !atEnd) return s;
            reportJunk(out);
            int e = findEnd(s, out, atEnd);
            if (e == -1) {
                if (len - s > MAX_TELEGRAM) {
                    out.error(new DecodeException(DecodeException.Kind.LENGTH, "no end of telegram within " + MAX_TELEGRAM + " bytes"), base + s);
                    return s + 1;
                }
                return s; // wait for more
            }
            if (e < -1) { // cut short by the next start at -e-2
                int next = -e - 2;
                out.error(new DecodeException(DecodeException.Kind.TRUNCATED, "telegram cut short by the start of the next one"), base + s);
                i = next;
                continue;
            }
            out.frame(Arrays.copyOfRange(buf, s, e), base + s);
            i = e;
        }
        return len;
    }

    private int findStart(int from) {
        for (int i = from; i < len; i++) {
            if (buf[i] == '/' && (i == from || buf[i - 1] == '\n' || buf[i - 1] == '\r' || !printable(buf[i - 1])) || buf[i] == STX) return i;
        }
        return -1;
    }

    private static boolean printable(byte b) { return b >= 0x20 && b < 0x7F; }

    /** Index after the telegram starting at s; -1 = need more bytes; -2-k = cut short by a new start at k. */
    private int findEnd(int s, Listener out, boolean atEnd) {
        int p = s;
        if (buf[s] == '/') {
            int lf = indexOf((byte) '\n', s, len);
            if (lf < 0) return atEnd ? len : -1;
            p = lf + 1;
            while (p < len && (buf[p] == '\r' || buf[p] == '\n')) p++;
            if (p >= len) return atEnd ? len : -1;
        }
        boolean stx = buf[p] == STX;
        boolean lineStart = true;
        for (int i = p; i < len; i++) {
            byte b = buf[i];
            if (stx && b == ETX) {
                if (i + 1 < len) return i + 2;
                return atEnd ? len : -1;
            }
            if (b == '/' && lineStart && i > p) return -2 - i;
            if (b == '!' && (lineStart || stx)) {
                int lf = indexOf((byte) '\n', i, Math.min(len, i + 8));
                if (lf < 0) {
                    if (atEnd || len - i >= 8) return atEnd ? len : i + 1;
                    return -1;
                }
                if (stx) { // ETX and BCC should follow the line end
                    int q = lf + 1;
                    if (q < len && buf[q] == ETX) return q + 1 < len ? q + 2 : atEnd ? len : -1;
                    if (q >= len && !atEnd) return -1;
                }
                return lf + 1;
            }
            lineStart = b == '\n' || b == '\r' || b == STX;
        }
        return atEnd ? len : -1;
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) return i;
        }
        return -1;
    }
}
